// A cheap walk over a request body that finds the fields a schema does not name and the
// lists longer than it allows, before Joi runs. Joi words one error per problem, so a
// 253 KB body of 22k unknown keys cost 140 ms of CPU and a 2 MB answer; counted here, it
// costs a key lookup each, and past the cap Joi never runs. It also sees `__proto__`,
// which Joi's copy of the body drops without a word. Its words for an unknown field, with
// a hint at the field meant (near-misses.ts), are the only ones answered: validateBody drops
// Joi's.
import type Joi from 'joi';
import { NEAR_MISSES_META, nearestField } from './near-misses';

/** What the walk knows of a schema: the keys of each object, the longest of each list. */
type Shape =
  | {
      kind: 'object';
      /** The fields and their camelCase spellings, each to the shape of its value. */
      keys: ReadonlyMap<string, Shape>;
      open: boolean;
      /** The fields alone, in declared order: what a hint may name. */
      fields: readonly string[];
      /** Words mistaken for fields, to the field meant (NEAR_MISSES_META). */
      nearMisses: ReadonlyMap<string, string>;
    }
  | { kind: 'array'; maxItems: number | undefined; items: Shape | undefined }
  | { kind: 'value' };

/** One problem, as answered in the 400's details. */
export interface FieldProblem {
  field: string;
  message: string;
}

interface Description {
  type?: string;
  keys?: Record<string, Description>;
  renames?: ReadonlyArray<{ from: string; to: string }>;
  patterns?: unknown[];
  items?: Description[];
  rules?: ReadonlyArray<{ name: string; args?: { limit?: number } }>;
  metas?: ReadonlyArray<Record<string, unknown>>;
}

/** The near misses an object schema's metas name, merged. */
function nearMissesOf(description: Description): Map<string, string> {
  const nearMisses = new Map<string, string>();
  for (const meta of description.metas ?? []) {
    const named = meta[NEAR_MISSES_META];
    if (typeof named !== 'object' || named === null) continue;
    for (const [word, field] of Object.entries(named)) {
      if (typeof field === 'string') nearMisses.set(word, field);
    }
  }
  return nearMisses;
}

function shapeOf(description: Description): Shape {
  if (description.type === 'object') {
    const keys = new Map<string, Shape>();
    for (const [name, child] of Object.entries(description.keys ?? {})) {
      keys.set(name, shapeOf(child));
    }
    for (const { from, to } of description.renames ?? []) {
      const target = keys.get(to);
      if (target !== undefined) keys.set(from, target);
    }
    // An object of any keys (attributes) has patterns, or no keys declared at all.
    const open = description.patterns !== undefined || description.keys === undefined;
    const fields = Object.keys(description.keys ?? {});
    return { kind: 'object', keys, open, fields, nearMisses: nearMissesOf(description) };
  }
  if (description.type === 'array') {
    const max = description.rules?.find((rule) => rule.name === 'max')?.args?.limit;
    const [items] = description.items ?? [];
    return {
      kind: 'array',
      maxItems: max,
      items: items === undefined ? undefined : shapeOf(items),
    };
  }
  return { kind: 'value' };
}

const shapes = new WeakMap<Joi.Schema, Shape>();

function cachedShapeOf(schema: Joi.Schema): Shape {
  let shape = shapes.get(schema);
  if (shape === undefined) {
    shape = shapeOf(schema.describe() as Description);
    shapes.set(schema, shape);
  }
  return shape;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The unknown fields and overlong lists of a body: at most `keep` of them worded, how many
 * there are in all, and whether a list was too long (Joi would check each of its items).
 * Values of the wrong type are left to Joi.
 */
export function unknownFields(
  schema: Joi.Schema,
  body: unknown,
  keep: number,
): { problems: FieldProblem[]; count: number; overlongList: boolean } {
  const problems: FieldProblem[] = [];
  let count = 0;
  let overlongList = false;
  // Messages are worded only for the problems kept: a hint costs an edit distance per field.
  const report = (field: string, message: () => string) => {
    count += 1;
    if (problems.length < keep) problems.push({ field, message: message() });
  };
  // `field` is the dotted path answered in details; `label` is how Joi words it in messages
  // (`room_config.agents[0].x`), so that both kinds of problem read alike.
  const walk = (value: unknown, shape: Shape, field: string, label: string) => {
    if (shape.kind === 'object' && isPlainObject(value)) {
      for (const key of Object.keys(value)) {
        const childField = field === '' ? key : `${field}.${key}`;
        const childLabel = label === '' ? key : `${label}.${key}`;
        const child = shape.keys.get(key);
        if (child !== undefined) walk(value[key], child, childField, childLabel);
        else if (!shape.open) {
          report(childField, () => {
            const meant = nearestField(key, shape.fields, shape.nearMisses);
            const hint = meant === undefined ? '' : `; did you mean ${meant}?`;
            return `${childLabel} is not an accepted field${hint}`;
          });
        }
      }
    } else if (shape.kind === 'array' && Array.isArray(value)) {
      if (shape.maxItems !== undefined && value.length > shape.maxItems) {
        overlongList = true;
        const { maxItems } = shape;
        report(field, () => `${label} must have at most ${maxItems} entries`);
        return;
      }
      const { items } = shape;
      if (items === undefined) return;
      value.forEach((item, index) => walk(item, items, `${field}.${index}`, `${label}[${index}]`));
    }
  };
  walk(body, cachedShapeOf(schema), '', '');
  return { problems, count, overlongList };
}
