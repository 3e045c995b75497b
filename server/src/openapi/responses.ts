// The answers every route shares: the one error shape, the headers, and how a list of error
// codes becomes one documented answer per status, each naming the codes it can carry.
import { MAX_LISTED_PROBLEMS } from '../schemas/request-body';
import { ERROR_CODES } from '../error-codes';
import type { Header, JsonSchema, OperationError, Reference, Response } from './types';

/** The media type of every answer the API documents. */
export const JSON_MEDIA_TYPE = 'application/json';

/** The component holding the error shape. */
export const ERROR_SCHEMA_REF = '#/components/schemas/Error';

/** `{ "error": { code, message, details? } }`: every error answer but /validate's refusals. */
export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  description:
    'Every error answer: a stable code to branch on, a message for people (never echoing a rejected value), and for VALIDATION_ERROR one entry per bad field.',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: {
        code: {
          type: 'string',
          pattern: '^[A-Z][A-Z0-9_]*$',
          description: 'Stable SCREAMING_SNAKE code.',
        },
        message: { type: 'string', description: 'What went wrong, for people.' },
        details: {
          type: 'array',
          description: `One entry per problem, at most ${MAX_LISTED_PROBLEMS}; the message counts the rest.`,
          maxItems: MAX_LISTED_PROBLEMS,
          items: {
            type: 'object',
            required: ['field', 'message'],
            additionalProperties: false,
            properties: {
              field: {
                type: 'string',
                description: 'The field, as a dotted path (`body` for the whole body).',
              },
              message: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

/** Headers answers carry, by name. */
export const HEADERS = {
  'X-Request-Id': {
    description:
      "The request's id, also in the server's log line: the caller's own X-Request-Id when it is 1 to 128 characters of A-Z a-z 0-9 . _ -, else a new UUID.",
    schema: { type: 'string' },
  },
  'Cache-Control': {
    description: 'no-store: tokens are credentials, and no answer is worth caching.',
    schema: { type: 'string' },
  },
  RateLimit: {
    description: 'The caller\'s remaining budget (IETF draft form), e.g. `"token"; r=59; t=60`.',
    schema: { type: 'string' },
  },
  'RateLimit-Policy': {
    description: 'The budget: requests per window, e.g. `"token"; q=60; w=60`.',
    schema: { type: 'string' },
  },
  'Retry-After': {
    description: 'Seconds until the budget comes back.',
    schema: { type: 'integer', minimum: 1 },
  },
  'WWW-Authenticate': {
    description: 'How to authenticate (RFC 6750), and why the credentials were refused.',
    schema: { type: 'string' },
  },
} as const satisfies Record<string, Header>;

/** A header of the HEADERS table. */
export type HeaderName = keyof typeof HEADERS;

/** References to header components, for a response's `headers`. */
export function headerRefs(names: readonly HeaderName[]): Record<string, Reference> {
  return Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}

/** The headers every answer carries. */
const EVERY_ANSWER_HEADERS: readonly HeaderName[] = ['X-Request-Id', 'Cache-Control'];

/** Headers that only answers of one status carry. */
const STATUS_HEADERS: Readonly<Record<number, readonly HeaderName[]>> = {
  401: ['WWW-Authenticate'],
  429: ['Retry-After'],
};

/** A JSON answer: its description, its body's schema, and headers beyond the usual ones. */
export function jsonAnswer(
  description: string,
  schema: JsonSchema,
  headers: readonly HeaderName[] = [],
): Response {
  return {
    description,
    headers: headerRefs([...EVERY_ANSWER_HEADERS, ...headers]),
    content: { [JSON_MEDIA_TYPE]: { schema } },
  };
}

/** The error shape, its code one of `codes`. */
export function errorSchemaWithCodes(codes: readonly string[]): JsonSchema {
  return {
    allOf: [
      { $ref: ERROR_SCHEMA_REF },
      { properties: { error: { properties: { code: { enum: [...codes] } } } } },
    ],
  };
}

/**
 * One answer per status for a route's errors, each listing its codes and when they come, as
 * an enum on `error.code` and as the answer's description. `headers` go on every one of them.
 */
export function errorResponses(
  errors: readonly OperationError[],
  headers: readonly HeaderName[] = [],
): Record<string, Response> {
  const byStatus = new Map<number, Map<string, string>>();
  for (const error of errors) {
    const { code, when } = typeof error === 'string' ? { code: error, when: undefined } : error;
    const { status } = ERROR_CODES[code];
    const codes = byStatus.get(status) ?? new Map<string, string>();
    codes.set(code, when ?? ERROR_CODES[code].when);
    byStatus.set(status, codes);
  }
  const responses: Record<string, Response> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const lines = [...codes].map(([code, when]) => `- \`${code}\`: ${when}`);
    responses[String(status)] = jsonAnswer(
      lines.join('\n'),
      errorSchemaWithCodes([...codes.keys()]),
      [...headers, ...(STATUS_HEADERS[status] ?? [])],
    );
  }
  return responses;
}
