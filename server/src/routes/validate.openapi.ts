// POST /validate as /openapi.json describes it: the body from the Joi schema the handler
// validates with (schemas/validate-body.ts), the answers written here beside the handler.
import { CLOCK_TOLERANCE_SECONDS, TOKEN_ERROR_CODES, type TokenErrorCode } from '../grants';
import type { OperationContext } from '../openapi/guard';
import { jsonSchemaOf } from '../openapi/json-schema';
import { errorResponses, jsonAnswer, JSON_MEDIA_TYPE, type HeaderName } from '../openapi/responses';
import type { JsonSchema, Operation, OperationError, Response } from '../openapi/types';
import { validateBodySchema } from '../schemas/validate-body';

/** Why /validate refuses a token, for each code the grants module answers with. */
const TOKEN_REFUSALS: Readonly<Record<TokenErrorCode, string>> = {
  MALFORMED_TOKEN: 'not a JWT, a crit header, or claims of the wrong type or out of range',
  UNSUPPORTED_ALGORITHM: 'signed with anything but HS256 (never none, never HS384/HS512)',
  WRONG_ISSUER: 'not issued by an API key this server accepts (LIVEKIT_API_KEY, LIVEKIT_KEYS)',
  BAD_SIGNATURE: "not signed with that key's secret",
  TOKEN_EXPIRED: `expired, beyond ${CLOCK_TOLERANCE_SECONDS} seconds of clock tolerance`,
  TOKEN_NOT_YET_VALID: `not valid yet (nbf), beyond ${CLOCK_TOLERANCE_SECONDS} seconds of clock tolerance`,
  MISSING_EXPIRY: 'no exp claim',
};

/** `{ "valid": false, "error": { code, message } }`: a token LiveKit would refuse. */
const TOKEN_REFUSAL_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['valid', 'error'],
  additionalProperties: false,
  properties: {
    valid: { const: false },
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: {
        code: { type: 'string', enum: [...TOKEN_ERROR_CODES] },
        message: { type: 'string' },
      },
    },
  },
};

const nullable = (schema: JsonSchema, description: string): JsonSchema => ({
  anyOf: [schema, { type: 'null' }],
  description,
});

/** LiveKit's VideoGrant, as a token's video claim carries it. */
const VIDEO_GRANT_SCHEMA: JsonSchema = {
  type: 'object',
  description:
    "The token's video claim as it is: LiveKit's VideoGrant fields (roomJoin, room, canPublish, canSubscribe, canPublishData, canPublishSources, roomAdmin...); {} when it has none.",
  properties: {
    room: { type: 'string' },
    roomJoin: { type: 'boolean' },
    canPublish: { type: 'boolean' },
    canSubscribe: { type: 'boolean' },
    canPublishData: { type: 'boolean' },
    canPublishSources: { type: 'array', items: { type: 'string' } },
  },
};

/** The 200 answer: what a valid token grants. */
const VALID_TOKEN_SCHEMA: JsonSchema = {
  type: 'object',
  required: [
    'valid',
    'identity',
    'name',
    'room',
    'expires_at',
    'grants',
    'metadata',
    'attributes',
    'room_config',
  ],
  additionalProperties: false,
  properties: {
    valid: { const: true },
    identity: nullable(
      { type: 'string' },
      "The token's sub; null for a token for LiveKit's server APIs.",
    ),
    name: nullable({ type: 'string' }, "The participant's display name, if any."),
    room: nullable({ type: 'string' }, 'The room of its video grant, if any.'),
    expires_at: { type: 'string', format: 'date-time', description: "The token's exp." },
    grants: VIDEO_GRANT_SCHEMA,
    metadata: nullable({ type: 'string' }, "The token's metadata claim, if any."),
    attributes: nullable(
      { type: 'object', additionalProperties: { type: 'string' } },
      "The token's attributes claim, if any.",
    ),
    room_config: nullable({ type: 'object' }, "The token's roomConfig claim, if any."),
  },
};

/**
 * The 401 answer: a token LiveKit would refuse, or (with AUTH_MODE api-key or jwt) the
 * caller's own credentials refused, which have the usual error shape.
 */
function unauthorizedAnswer(
  callerRefused: Response | undefined,
  headers: readonly HeaderName[],
): Response {
  const refusals = Object.entries(TOKEN_REFUSALS).map(([code, when]) => `- \`${code}\`: ${when}`);
  const refusal = jsonAnswer(
    `The token is not one LiveKit would accept, with \`valid: false\` and WWW-Authenticate: Bearer error="invalid_token":\n${refusals.join('\n')}`,
    TOKEN_REFUSAL_SCHEMA,
    [...headers, 'WWW-Authenticate'],
  );
  const callerSchema = callerRefused?.content?.[JSON_MEDIA_TYPE]?.schema;
  if (callerRefused === undefined || callerSchema === undefined) return refusal;
  return {
    ...refusal,
    description: `${refusal.description}\n\nOr the caller's own credentials were refused:\n${callerRefused.description}`,
    content: { [JSON_MEDIA_TYPE]: { schema: { anyOf: [TOKEN_REFUSAL_SCHEMA, callerSchema] } } },
  };
}

/** `POST /validate` in the document: checks a token as LiveKit would. */
export function validateOperation({ config, guard }: OperationContext): Operation {
  const tokenInAuthorization = config.auth.mode === 'none';
  const errors: OperationError[] = [
    ...guard.errors,
    'MISSING_TOKEN',
    'AMBIGUOUS_TOKEN',
    ...(tokenInAuthorization ? (['INVALID_AUTHORIZATION_HEADER'] as const) : []),
  ];
  const { '401': callerRefused, ...otherErrors } = errorResponses(errors, guard.headers);
  return {
    operationId: 'validateToken',
    summary: 'Check and decode a token',
    description: `Checks a LiveKit token as LiveKit servers do, and decodes what it grants. Give the token in one place: the token query parameter or {"token": "..."} in the body${tokenInAuthorization ? ', or Authorization: Bearer <token>' : ' (Authorization carries your own credentials)'}. Two different tokens in one request are refused.`,
    tags: ['tokens'],
    parameters: [
      {
        name: 'token',
        in: 'query',
        description: 'The token to check, given once.',
        required: false,
        schema: { type: 'string', minLength: 1 },
      },
    ],
    requestBody: {
      required: false,
      content: { [JSON_MEDIA_TYPE]: { schema: jsonSchemaOf(validateBodySchema) } },
    },
    responses: {
      '200': jsonAnswer('The token is valid: what it grants.', VALID_TOKEN_SCHEMA, guard.headers),
      ...otherErrors,
      '401': unauthorizedAnswer(callerRefused, guard.headers),
    },
  };
}
