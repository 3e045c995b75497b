// JSON Schemas of request bodies, generated from the very Joi schemas the routes validate
// with, so that the document cannot drift from the code. joi-to-json does the bulk (types,
// lengths, ranges, enums, required and unknown keys, descriptions). What it cannot express
// or gets wrong is put right here, once:
// - patterns: it keeps only the last one and ignores `invert`; here every pattern counts,
//   inverted ones as `not`, and their names become a sentence of the description;
// - objects of any keys (`.pattern(keySchema, valueSchema)`): it answers "no keys at all";
// - `.rename()`: the camelCase spellings become properties too, never both at once;
// - `.custom()` rules, which no generator can read: each must carry its JSON Schema
//   counterpart as `.meta({ jsonSchema: {...} })` next to it, or the document is not built.
import type Joi from 'joi';
import parse from 'joi-to-json';
import type { JsonSchema } from './types';

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

/** Adds one subschema every value must also match. */
function addAllOf(schema: JsonSchema, subschema: JsonSchema): void {
  schema.allOf = [...((schema.allOf as JsonSchema[] | undefined) ?? []), subschema];
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

/** Every pattern of a string schema: matched ones as `pattern`, inverted ones under `not`. */
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
  const [firstMatched, ...otherMatched] = matched;
  if (firstMatched !== undefined) schema.pattern = firstMatched;
  for (const source of otherMatched) addAllOf(schema, { pattern: source });
  if (refused.length > 0) {
    const forbidden =
      refused.length === 1
        ? { pattern: refused[0] }
        : { anyOf: refused.map((source) => ({ pattern: source })) };
    if (schema.not === undefined) schema.not = forbidden;
    else addAllOf(schema, { not: forbidden });
  }
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

/**
 * Where a subschema requires `to` (`required`, or `.or()` and the like, which joi-to-json
 * turns into required lists under anyOf/oneOf/allOf), `from` does as well: Joi renames
 * before it checks.
 */
function requireEitherSpelling(schema: JsonSchema, from: string, to: string): void {
  for (const combinator of ['anyOf', 'oneOf', 'allOf'] as const) {
    const subschemas = schema[combinator];
    if (Array.isArray(subschemas)) {
      for (const subschema of subschemas) {
        if (isPlainObject(subschema)) requireEitherSpelling(subschema, from, to);
      }
    }
  }
  const required = schema.required;
  if (Array.isArray(required) && required.includes(to)) {
    const others = required.filter((name) => name !== to);
    if (others.length > 0) schema.required = others;
    else delete schema.required;
    addAllOf(schema, { anyOf: [{ required: [to] }, { required: [from] }] });
  }
}

/** The camelCase spellings `.rename()` accepts, each a property like its target; never both. */
function addRenames(schema: JsonSchema, description: JoiDescription, path: string): void {
  const properties = schema.properties as Record<string, JsonSchema>;
  const dependentSchemas: Record<string, JsonSchema> = {};
  for (const { from, to } of description.renames ?? []) {
    const target = properties[to];
    if (target === undefined) throw new Error(`${path}: ${from} renames to ${to}, not a field`);
    properties[from] = {
      ...target,
      description: `${to}, spelt in camelCase as LiveKit's JSON also allows; give one or the other, not both.`,
    };
    dependentSchemas[from] = { not: { required: [to] } };
    const required = schema.required;
    if (Array.isArray(required) && required.includes(to)) {
      // No longer in `required`, which readers of the reference look for: say it in words.
      describeFurther(target, `Required, as ${to} or ${from}.`);
    }
    requireEitherSpelling(schema, from, to);
  }
  if (Object.keys(dependentSchemas).length > 0) schema.dependentSchemas = dependentSchemas;
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
  const keywords = (description.metas ?? [])
    .map((meta) => meta[JSON_SCHEMA_META])
    .filter(isPlainObject);
  for (const extra of keywords) addKeywords(schema, extra);
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
