// Request bodies generated from a route's JSON Schema in /openapi.json, as a client generated
// from the document would send them, and then bent: each field now within its rules, now
// just past them (one character too many, a control, invisible or bidirectional character,
// a lone surrogate, another type), sometimes both spellings of one field or an unknown one.
import fc from 'fast-check';
import type { JsonSchema } from '../../server/src/openapi/types';

/** Characters the text rules turn on, mixed into generated strings. */
const TRICKY = [
  'a',
  'Z',
  '0',
  ' ',
  '.',
  '@',
  '-',
  'é',
  'ß',
  '\u05d0',
  '\u0000',
  '\u0007',
  '\t',
  '\n',
  '\u007f',
  '\u0085',
  '\u200b',
  '\u200f',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\ud800',
  '\udc00',
  '\ud83d\ude00',
];

/** Text of tricky characters, of a length around `min`..`max`. */
function trickyText(min: number, max: number): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom(...TRICKY), {
      minLength: Math.max(0, min - 1),
      maxLength: Math.min(max + 1, 40),
    })
    .map((parts) => parts.join(''));
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<unknown> {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 64;
  const options: Array<fc.Arbitrary<unknown>> = [
    fc.string({ minLength: Math.max(min, 1), maxLength: Math.min(max, 24) }),
    trickyText(min, max),
    fc.constantFrom('', 'a'.repeat(Math.min(max, 100_000)), 'a'.repeat(Math.min(max + 1, 100_001))),
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)),
  ];
  if (schema.format === 'email') {
    options.push(
      fc.emailAddress(),
      fc.constantFrom('ada@example.com', 'not-an-email', 'a@b', 'ada@exa mple.com', '@x.y'),
    );
  }
  if (Array.isArray(schema.enum)) {
    options.push(fc.constantFrom(...(schema.enum as unknown[])), fc.constant('superuser'));
  }
  return fc.oneof(...options);
}

function numberArbitrary(schema: JsonSchema): fc.Arbitrary<unknown> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : -10;
  const max = typeof schema.maximum === 'number' ? schema.maximum : 10_000;
  return fc.oneof(
    fc.integer({ min: min - 2, max: Math.min(max + 2, Number.MAX_SAFE_INTEGER) }),
    fc.constantFrom(min, max, max + 1, 1.5, -0),
    fc.string({ maxLength: 4 }),
  );
}

/** A value for `schema`, within its rules or just past them; `depth` bounds nesting. */
export function arbitraryOf(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.oneof(fc.constant(schema.const), fc.string());
  switch (schema.type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
    case 'number':
      return numberArbitrary(schema);
    case 'boolean':
      return fc.oneof(fc.boolean(), fc.constant('true'));
    case 'array': {
      const items = (schema.items ?? {}) as JsonSchema;
      const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : 4;
      return fc.oneof(
        fc.array(arbitraryOf(items, depth + 1), { maxLength: Math.min(maxItems + 1, 10) }),
        fc.constant('not a list'),
      );
    }
    case 'object':
      return depth > 3 ? fc.constant({}) : objectArbitrary(schema, depth);
    default:
      return fc.oneof(fc.string(), fc.integer(), fc.constant(null));
  }
}

/** An object of the schema's properties, each there one time in three, and some others. */
function objectArbitrary(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const named = fc
    .record(
      Object.fromEntries(
        Object.entries(properties).map(([name, property]) => [
          name,
          fc.oneof(
            { weight: 2, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: fieldArbitrary(property, depth + 1) },
          ),
        ]),
      ),
    )
    .map((fields) =>
      Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    );
  const extra = schema.additionalProperties;
  const keys = fieldArbitrary(
    (schema.propertyNames ?? { type: 'string' }) as JsonSchema,
    depth + 1,
  );
  const pairs =
    typeof extra === 'object' && extra !== null
      ? fc.dictionary(
          keys.filter((key): key is string => typeof key === 'string'),
          fieldArbitrary(extra as JsonSchema, depth + 1),
          { maxKeys: 4 },
        )
      : fc.constant({});
  const unknown = fc.oneof(
    { weight: 8, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc.constantFrom({ colour: 'blue' }, { room: 'lab' }, { email: 'ada@example.com' }),
    },
  );
  return fc
    .tuple(named, pairs, unknown)
    .map(([fields, free, strange]) => ({ ...free, ...fields, ...strange }));
}

/**
 * A value within `schema`'s rules, as a well-behaved client sends: plain text of an allowed
 * length, an enum member, a number in range. The rules' corners are left to `arbitraryOf`.
 */
function validArbitrary(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'email') {
        return fc.constantFrom('ada@example.com', 'grace.hopper@navy.example', 'x@y.zz');
      }
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      const max = typeof schema.maxLength === 'number' ? schema.maxLength : 64;
      return fc
        .stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,30}$/)
        .map((text) => text.slice(0, max).padEnd(Math.max(min, 1), 'x'));
    }
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : 0;
      const max = typeof schema.maximum === 'number' ? schema.maximum : 10_000;
      return fc.integer({ min, max });
    }
    case 'array': {
      const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : 3;
      return fc.array(fieldArbitrary((schema.items ?? {}) as JsonSchema, depth + 1), {
        maxLength: Math.min(maxItems, 3),
      });
    }
    case 'object':
      return depth > 3 ? fc.constant({}) : objectArbitrary(schema, depth);
    default:
      return fc.constant(null);
  }
}

/** Mostly a valid value, now and then one bent past the rules. */
function fieldArbitrary(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: validArbitrary(schema, depth) },
    { weight: 1, arbitrary: arbitraryOf(schema, depth) },
  );
}
