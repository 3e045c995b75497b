// JSON Schemas of request bodies, generated from the very Joi schemas the routes validate
// with, so that the document cannot drift from the code. joi-to-json does the bulk (types,
// lengths, ranges, enums, required and unknown keys, descriptions). What it cannot express
// or gets wrong is put right here, once:
// - patterns: it keeps only the last one and ignores `invert`; here every pattern counts,
//   all of them become one `pattern` (refused characters left out of its class), and their
//   names a sentence of the description;
// - objects of any keys (`.pattern(keySchema, valueSchema)`): it answers "no keys at all";
// - `.rename()`: the camelCase spellings become properties too, never both at once, in flat
//   titled rules a reference UI can show;
// - `.custom()` rules, which no generator can read: each must carry its JSON Schema
//   counterpart as `.meta({ jsonSchema: {...} })` next to it, or the document is not built.
import type Joi from 'joi';
import type JoiToJson from 'joi-to-json';
import type { JsonSchema } from './types';

/**
 * joi-to-json, loaded on the first conversion: it and lodash cost some 20 ms of start-up,
 * which a server with DOCS=off never needs.
 */
let parse: typeof JoiToJson | undefined;

/** The parts of Joi's describe() output read here. */
interface JoiDescription {
  type?: string;
  flags?: { description?: string };
  keys?: Record<string, JoiDescription>;
  items?: JoiDescription[];
  patterns?: Array<{ schema?: JoiDescription; regex?: string; rule: JoiDescription }>;
  renames?: Array<{ from: string; to: string }>;
  rules?: Array<{ name: string; args?: { regex?: string; options?: PatternOptions } }>;
  metas?: Array<Record<string, unknown>>;
}

interface PatternOptions {
  name?: string;
  invert?: boolean;
}

/** The key of `.meta()` whose JSON Schema keywords join the generated schema. */
export const JSON_SCHEMA_META = 'jsonSchema';

/**
 * The key of `.meta()` whose keywords hold Joi schemas, converted like the rest: what a
 * `.custom()` rule enforces in parts of the value Joi does not describe (an attribute key's
 * rules, say), stated without writing its patterns twice.
 */
export const JSON_SCHEMA_OF_META = 'jsonSchemaOf';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds keywords to a schema; object-valued keywords both sides have are merged. */
function addKeywords(schema: JsonSchema, keywords: Record<string, unknown>): void {
  for (const [keyword, value] of Object.entries(keywords)) {
    const current = schema[keyword];
    schema[keyword] =
      isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
  }
}

/** The source of a regular expression as Joi describes it (`/source/flags`). */
function regexSource(regex: string, path: string): string {
  const match = /^\/(.*)\/([a-z]*)$/s.exec(regex);
  if (match === null) throw new Error(`${path}: cannot read the pattern ${regex}`);
  const [, source = '', flags = ''] = match;
  // JSON Schema patterns are Unicode-aware ECMA-262 expressions without flags.
  if (flags.replace('u', '') !== '') {
    throw new Error(`${path}: the pattern ${regex} has flags JSON Schema cannot express`);
  }
  return source;
}

/** "a, b or c" */
function listed(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** Appends a sentence to a schema's description. */
function describeFurther(schema: JsonSchema, sentence: string): void {
  const description = typeof schema.description === 'string' ? `${schema.description} ` : '';
  schema.description = `${description}${sentence}`;
}

/** A pattern that matches one character of a class: `\p{Cc}` or `[\u200b-\u200f]`, not `[^...]`. */
const CHARACTER_CLASS = /^(?:\\p\{\w+\}|\[(?!\^)(?:[^\]\\]|\\.)+\])$/;

/** A pattern that is one token, which needs no group around it: `\S`, or a class. */
const SINGLE_TOKEN = /^(?:\\[A-Za-z]|\\p\{\w+\}|\[(?:[^\]\\]|\\.)+\])$/;

/** The inside of a character class pattern, to join into one class: `\p{Cc}` or `\u200b-\u200f`. */
function classBody(source: string): string {
  return source.startsWith('[') ? source.slice(1, -1) : source;
}

/**
 * The one pattern a string must match for every pattern rule of its Joi schema: each matched
 * one as a lookahead (the text contains a match), each refused one as a character left out
 * of the class every character must be in, or a negative lookahead when it is no single
 * character. One `pattern` is what a reference UI shows beside the field; `not`/`allOf` of
 * patterns showed as nested boxes that hid the rule.
 */
function combinedPattern(matched: readonly string[], refused: readonly string[]): string {
  const [only] = matched;
  if (refused.length === 0 && matched.length === 1 && only !== undefined) return only;
  const grouped = (source: string) => (SINGLE_TOKEN.test(source) ? source : `(?:${source})`);
  const lookaheads = matched.map((source) =>
    source.startsWith('^') ? `(?=${source.slice(1)})` : `(?=[\\s\\S]*?${grouped(source)})`,
  );
  const classes = refused.filter((source) => CHARACTER_CLASS.test(source));
  const others = refused.filter((source) => !CHARACTER_CLASS.test(source));
  const exclusions = others.map((source) =>
    source.startsWith('^') ? `(?!${source.slice(1)})` : `(?![\\s\\S]*?${grouped(source)})`,
  );
  const characters = classes.length > 0 ? `[^${classes.map(classBody).join('')}]*` : '[\\s\\S]*';
  return `^${[...lookaheads, ...exclusions].join('')}${characters}$`;
}

/** Every pattern of a string schema, in one `pattern`, and their names as a sentence. */
function fixPatterns(schema: JsonSchema, description: JoiDescription, path: string): void {
  delete schema.pattern;
  const patterns = (description.rules ?? []).filter((rule) => rule.name === 'pattern');
  if (patterns.length === 0) return;
  const matched: string[] = [];
  const refused: string[] = [];
  const mustContain: string[] = [];
  const mustNotContain: string[] = [];
  for (const { args } of patterns) {
    const source = regexSource(args?.regex ?? '', path);
    const name = args?.options?.name;
    if (args?.options?.invert === true) {
      refused.push(source);
      if (name !== undefined) mustNotContain.push(name);
    } else {
      matched.push(source);
      if (name !== undefined) mustContain.push(name);
    }
  }
  schema.pattern = combinedPattern(matched, refused);
  const sentences = [
    ...(mustContain.length > 0 ? [`must contain ${listed(mustContain)}`] : []),
    ...(mustNotContain.length > 0 ? [`must not contain ${listed(mustNotContain)}`] : []),
  ];
  if (sentences.length > 0) {
    const text = sentences.join('; ');
    describeFurther(schema, `It ${text}.`);
  }
}

/** An object of any keys: the key and value schemas, rather than "no keys". */
function fixKeyPatterns(schema: JsonSchema, description: JoiDescription, path: string): void {
  const patterns = description.patterns ?? [];
  if (patterns.length === 0) return;
  if (patterns.length > 1) throw new Error(`${path}: more than one key pattern is not supported`);
  const [{ schema: keySchema, regex, rule }] = patterns as [(typeof patterns)[number]];
  // joi-to-json files a pattern under properties keyed by its regex: not a property at all.
  schema.properties = {};
  delete schema.patternProperties;
  schema.additionalProperties = jsonSchemaOfDescription(rule, `${path}.*`);
  if (keySchema !== undefined) {
    schema.propertyNames = jsonSchemaOfDescription(keySchema, `${path} keys`);
  } else if (regex !== undefined) {
    schema.propertyNames = { pattern: regexSource(regex, path) };
  }
}

/** Adds one refused shape under `not`, whose `anyOf` lists every shape refused. */
function addRefusal(schema: JsonSchema, refusal: JsonSchema): void {
  const not = (schema.not ?? { anyOf: [] }) as { anyOf: JsonSchema[] };
  not.anyOf.push(refusal);
  schema.not = not;
}

/**
 * The camelCase spellings `.rename()` accepts: each a property like its target; both at once
 * refused; a required field required in either spelling; and where `.or()` asks for one of
 * several fields (joi-to-json's `anyOf` of `required`), either spelling of each will do. The
 * rules stay flat and titled (`with user_id`, `both room_name and roomName`), which a
 * reference UI shows as a list of words, never as boxes nested in boxes.
 */
function addRenames(schema: JsonSchema, description: JoiDescription, path: string): void {
  const properties = schema.properties as Record<string, JsonSchema>;
  const renames = description.renames ?? [];
  const spellingOf = new Map(renames.map(({ from, to }) => [to, from]));
  const alternatives = schema.anyOf;
  if (Array.isArray(alternatives)) {
    schema.anyOf = (alternatives as JsonSchema[]).flatMap((alternative) => {
      const required = alternative.required;
      if (!Array.isArray(required) || required.length !== 1) return [alternative];
      const field = String(required[0]);
      const spelling = spellingOf.get(field);
      const spellings = spelling === undefined ? [field] : [field, spelling];
      return spellings.map((name) => ({ title: `with ${name}`, required: [name] }));
    });
  }
  for (const { from, to } of renames) {
    const target = properties[to];
    if (target === undefined) throw new Error(`${path}: ${from} renames to ${to}, not a field`);
    properties[from] = {
      ...target,
      description: `${to}, spelt in camelCase as LiveKit's JSON also allows; give one or the other, not both.`,
    };
    addRefusal(schema, { title: `both ${to} and ${from}`, required: [to, from] });
    const required = schema.required;
    if (Array.isArray(required) && required.includes(to)) {
      const others = required.filter((name) => name !== to);
      if (others.length > 0) schema.required = others;
      else delete schema.required;
      addRefusal(schema, {
        title: `neither ${to} nor ${from}`,
        not: { anyOf: [{ required: [to] }, { required: [from] }] },
      });
      // No longer in `required`, which readers of the reference look for: say it in words.
      describeFurther(target, `Required, as ${to} or ${from}.`);
    }
  }
}

/** Puts right, in place, what joi-to-json made of one schema and everything inside it. */
function fixSchema(schema: JsonSchema, description: JoiDescription, path: string): void {
  if (description.type === 'string') fixPatterns(schema, description, path);
  if (description.type === 'object') {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const [key, child] of Object.entries(description.keys ?? {})) {
      const property = properties[key];
      if (property !== undefined) fixSchema(property, child, path === '' ? key : `${path}.${key}`);
    }
    fixKeyPatterns(schema, description, path);
    addRenames(schema, description, path);
    if (isPlainObject(schema.properties) && Object.keys(schema.properties).length === 0) {
      delete schema.properties;
    }
  }
  if (description.type === 'array' && isPlainObject(schema.items)) {
    const [items] = description.items ?? [];
    if (items !== undefined) fixSchema(schema.items, items, `${path}[]`);
  }
  const metas = description.metas ?? [];
  const keywords = metas.map((meta) => meta[JSON_SCHEMA_META]).filter(isPlainObject);
  for (const extra of keywords) addKeywords(schema, extra);
  for (const described of metas.map((meta) => meta[JSON_SCHEMA_OF_META]).filter(isPlainObject)) {
    // Joi's describe() has already described the Joi schemas a meta holds.
    for (const [keyword, joiDescription] of Object.entries(described)) {
      addKeywords(schema, {
        [keyword]: jsonSchemaOfDescription(joiDescription as JoiDescription, `${path} ${keyword}`),
      });
    }
  }
  const hasCustomRule = (description.rules ?? []).some((rule) => rule.name === 'custom');
  if (hasCustomRule && keywords.length === 0) {
    throw new Error(
      `${path || 'the body'}: a .custom() rule without .meta({ ${JSON_SCHEMA_META}: {...} }); add the JSON Schema keywords it amounts to, so that /openapi.json states the rule`,
    );
  }
}

/**
 * joi-to-json reads a schema only through its describe(), which costs more than the rest of
 * the conversion (Joi checks its own output): each schema is described once, and nested
 * ones (key patterns) are converted from their part of that description.
 */
function jsonSchemaOfDescription(description: JoiDescription, path: string): JsonSchema {
  const describable = { describe: () => description };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  parse ??= require('joi-to-json') as typeof JoiToJson;
  // joi-to-json's types ask for the Joi class; all it calls is describe().
  const schema = parse(describable as never, 'open-api-3.1') as JsonSchema;
  fixSchema(schema, description, path);
  return schema;
}

/**
 * The JSON Schema (OpenAPI 3.1 dialect) of a Joi schema: the same rules, each stated once in
 * the Joi schema, with descriptions and metas carried over. Throws for a rule it cannot
 * state, so that an unstated rule fails at start-up (and in every test) instead of drifting.
 */
export function jsonSchemaOf(joiSchema: Joi.Schema): JsonSchema {
  return jsonSchemaOfDescription(joiSchema.describe() as JoiDescription, '');
}
