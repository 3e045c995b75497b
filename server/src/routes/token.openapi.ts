// POST /token as /openapi.json describes it: the request from the Joi schema the handler
// validates with (schemas/token-body.ts), the answers written here beside the handler.
import type { Config } from '../config';
import { jsonSchemaOf } from '../openapi/json-schema';
import { errorResponses, jsonAnswer, JSON_MEDIA_TYPE } from '../openapi/responses';
import { participantTokenErrors, type OperationContext } from '../openapi/guard';
import type { JsonSchema, Operation } from '../openapi/types';
import { tokenBodySchema } from '../schemas/token-body';

/** The 200 answer: the token, and what the server chose for it. */
function tokenAnswerSchema(config: Config): JsonSchema {
  const withServerUrl = config.livekitUrl !== undefined;
  return {
    type: 'object',
    required: [
      'token',
      'room_name',
      'identity',
      'role',
      'expires_at',
      ...(withServerUrl ? ['server_url'] : []),
    ],
    additionalProperties: false,
    properties: {
      token: { type: 'string', description: 'The LiveKit access token: a JWT signed HS256.' },
      room_name: { type: 'string', description: 'The room the token joins.' },
      identity: { type: 'string', description: "The participant's identity, the token's sub." },
      role: { type: 'string', enum: [...config.roles.keys()], description: 'The role granted.' },
      expires_at: {
        type: 'string',
        format: 'date-time',
        description: 'When LiveKit stops accepting the token.',
      },
      ...(withServerUrl
        ? { server_url: { type: 'string', description: 'Where to connect: LIVEKIT_URL.' } }
        : {}),
    },
  };
}

/** `POST /token` in the document: mints a LiveKit join token. */
export function tokenOperation({ config, guard }: OperationContext): Operation {
  return {
    operationId: 'createToken',
    summary: 'Mint a join token',
    description:
      "Mints a LiveKit join token for one participant in one room, with the role's grants. The identity is user_id, else user_email" +
      (config.auth.mode === 'jwt' ? "; with a login, always the login's identity." : '.') +
      (guard.rateLimitPerMinute > 0
        ? ` Shares its budget of ${guard.rateLimitPerMinute} requests per caller and minute with /connection-details.`
        : ''),
    tags: ['tokens'],
    requestBody: {
      required: true,
      content: {
        [JSON_MEDIA_TYPE]: {
          schema: jsonSchemaOf(tokenBodySchema(config)),
          example: { user_email: 'ada@example.com', full_name: 'Ada Lovelace' },
        },
      },
    },
    responses: {
      '200': jsonAnswer(
        'The token, and what the server chose for it.',
        tokenAnswerSchema(config),
        guard.headers,
      ),
      ...errorResponses([...guard.errors, ...participantTokenErrors(config)], guard.headers),
    },
  };
}
