// How every request body is checked: Joi object schemas with our preferences and messages,
// and one 400 VALIDATION_ERROR naming every bad field. The fields themselves are in fields.ts.
import Joi from 'joi';
import { HttpError } from '../errors';
import { unknownFields, type FieldProblem } from './unknown-fields';

/** Messages that name the rule and never echo the rejected value back. */
const messages = {
  'any.required': '{{#label}} is required',
  'object.unknown': '{{#label}} is not an accepted field',
  'object.base': '{{#label}} must be a JSON object',
  'string.base': '{{#label}} must be a string',
  'string.empty': '{{#label}} must not be empty',
  'string.min': '{{#label}} must be at least {{#limit}} characters long',
  'string.max': '{{#label}} must be at most {{#limit}} characters long',
  'string.email': '{{#label}} must be a valid email address',
  'string.pattern.name': '{{#label}} must contain {{#name}}',
  'string.pattern.invert.name': '{{#label}} must not contain {{#name}}',
  'number.base': '{{#label}} must be a number',
  'number.integer': '{{#label}} must be a whole number',
  'number.min': '{{#label}} must be at least {{#limit}}',
  'number.max': '{{#label}} must be at most {{#limit}}',
  'array.base': '{{#label}} must be a list',
  'array.max': '{{#label}} must have at most {{#limit}} entries',
  'any.only': '{{#label}} must be one of {{#valids}}',
  'object.rename.override': 'give {{#from}} or {{#to}}, not both',
  'string.maxBytes': '{{#label}} must be at most {{#limit}} bytes of UTF-8',
  'number.maxLifetime':
    '{{#label}} must be at most {{#limit}}, the lifetime this server gives tokens (TOKEN_EXPIRY_HOURS); ask for shorter, never longer',
  'attributes.key':
    '{{#label}} keys must be 1 to 256 characters without control, invisible or bidirectional-control characters or lone surrogates, and not __proto__',
  'attributes.value': '{{#label}} values must not contain lone UTF-16 surrogates',
  'attributes.size': '{{#label}} must total at most {{#limit}} bytes of UTF-8, keys and values',
};

/**
 * An object schema for a request body with our preferences: report every bad field, never
 * coerce types, messages that do not echo values. Set once here, because preferences passed
 * to each validate() call are compiled again on every request. `spellings` maps other names
 * a field may be sent by (`roomName`) to the field (`room_name`); sending both is refused.
 */
export function requestSchema<T>(
  keys: Joi.PartialSchemaMap<T>,
  spellings: Readonly<Record<string, keyof T & string>> = {},
): Joi.ObjectSchema<T> {
  let schema = Joi.object<T>(keys)
    .label('the body')
    .prefs({
      abortEarly: false,
      convert: false,
      messages,
      errors: { wrap: { label: false } },
    });
  for (const [spelling, field] of Object.entries(spellings)) {
    schema = schema.rename(spelling, field);
  }
  return schema;
}

/**
 * The field a problem is about, as a dotted path: a spelling conflict is about its target,
 * a missing one of several fields (`.or()`) about the first of them.
 */
function fieldOf(detail: Joi.ValidationErrorItem): string {
  const path = detail.path.map(String);
  if (detail.type === 'object.rename.override' && typeof detail.context?.to === 'string') {
    path.push(detail.context.to);
  }
  const peers: unknown = detail.context?.peers;
  if (detail.type === 'object.missing' && Array.isArray(peers) && peers.length > 0) {
    path.push(String(peers[0]));
  }
  return path.length > 0 ? path.join('.') : 'body';
}

/**
 * The most problems one 400 lists; the message counts the rest. A body of 22k unknown keys
 * once made a 2 MB answer.
 */
export const MAX_LISTED_PROBLEMS = 20;

/** The 400 for `total` problems, of which the first ones are worded in `problems`. */
export function validationError(
  problems: readonly FieldProblem[],
  total = problems.length,
): HttpError {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  const unlisted = total - listed.length;
  return new HttpError(
    'VALIDATION_ERROR',
    `Invalid request: ${listed.map((problem) => problem.message).join('; ')}${unlisted > 0 ? `; and ${unlisted} more problems, not listed` : ''}.`,
    { details: listed },
  );
}

/**
 * Validates a request body against a schema from requestSchema, returning the value or
 * throwing one 400 VALIDATION_ERROR that names every bad field (the first 20 of them).
 * Unknown fields are counted first, cheaply: past the cap, or with a list longer than its
 * limit (whose every item Joi would check), Joi does not run at all.
 */
export function validateBody<T>(schema: Joi.ObjectSchema<T>, body: unknown): T {
  const unknown = unknownFields(schema, body, MAX_LISTED_PROBLEMS);
  if (unknown.count > MAX_LISTED_PROBLEMS || unknown.overlongList) {
    throw validationError(unknown.problems, unknown.count);
  }
  const { value, error } = schema.validate(body ?? {});
  if (!error && unknown.count === 0) return value;
  // Unknown fields are worded by the walk alone, with its hints: Joi's words for the same
  // field (object.unknown) are dropped, and its copy of the body loses `__proto__` anyway.
  const walked = new Set(unknown.problems.map((problem) => problem.field));
  const problems: FieldProblem[] = (error?.details ?? [])
    .map((detail) => ({ field: fieldOf(detail), message: detail.message }))
    .filter((problem) => !walked.has(problem.field));
  problems.push(...unknown.problems);
  throw validationError(problems);
}
