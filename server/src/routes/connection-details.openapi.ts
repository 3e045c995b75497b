// POST /connection-details as /openapi.json describes it: the request from the Joi schema
// the handler validates with (schemas/connection-details-body.ts), the answers written here.
import type { Config } from '../config';
import { jsonSchemaOf } from '../openapi/json-schema';
import { errorResponses, jsonAnswer, JSON_MEDIA_TYPE } from '../openapi/responses';
import {
  inviteRedemptionErrors,
  participantTokenErrors,
  type OperationContext,
} from '../openapi/guard';
import type { JsonSchema, Operation } from '../openapi/types';
import { connectionDetailsBodySchema } from '../schemas/connection-details-body';
import { INVITE_CODE_PARAMETER } from './invites.openapi';
import { LOBBY_WAIT_SCHEMA } from './invite-view';

/** The 201 answer: LiveKit's standard fields, server_url and participant_token, and extras. */
export function connectionDetailsAnswerSchema(config: Config): JsonSchema {
  return {
    type: 'object',
    required: [
      'server_url',
      'participant_token',
      'room_name',
      'participant_identity',
      'role',
      'expires_at',
    ],
    additionalProperties: false,
    properties: {
      server_url: { type: 'string', description: 'Where to connect: LIVEKIT_URL.' },
      participant_token: {
        type: 'string',
        description: 'The LiveKit access token: a JWT signed HS256.',
      },
      room_name: { type: 'string', description: 'The room the token joins.' },
      participant_identity: { type: 'string', description: "The token's identity (sub)." },
      participant_name: {
        type: 'string',
        description: 'The display name, when the request or the login gave one.',
      },
      role: { type: 'string', enum: [...config.roles.keys()], description: 'The role granted.' },
      expires_at: {
        type: 'string',
        format: 'date-time',
        description: 'When LiveKit stops accepting the token.',
      },
    },
  };
}

/** `POST /connection-details` in the document: LiveKit's standard token endpoint. */
export function connectionDetailsOperation({ config, guard }: OperationContext): Operation {
  return {
    operationId: 'createConnectionDetails',
    summary: "LiveKit's standard token endpoint",
    description:
      "The endpoint LiveKit's client SDKs call themselves (`TokenSource.endpoint(url)` in livekit-client): where to connect, and a token to connect with. Every field is optional, in LiveKit's snake_case; the camelCase spellings are accepted too." +
      (guard.rateLimitPerMinute > 0
        ? ` Shares its budget of ${guard.rateLimitPerMinute} requests per caller and minute with /token.`
        : '') +
      " A guest redeems an invite with its code in `X-Invite-Code` (`TokenSource.endpoint(url, { headers })`), and no other credential: the invite's room, role and identity are the token's (or, for a waiting-room invite, 202 and a place in the lobby).",
    tags: ['tokens'],
    parameters: [INVITE_CODE_PARAMETER],
    requestBody: {
      required: false,
      content: {
        [JSON_MEDIA_TYPE]: {
          schema: jsonSchemaOf(connectionDetailsBodySchema(config)),
          example: { room_name: 'physics-101', participant_name: 'Ada Lovelace' },
        },
      },
    },
    responses: {
      '202': jsonAnswer(
        "A waiting-room invite: the guest's place in the lobby; poll GET /lobby/{id}.",
        LOBBY_WAIT_SCHEMA,
        guard.headers,
      ),
      '201': jsonAnswer(
        'Where to connect, and a token to connect with.',
        connectionDetailsAnswerSchema(config),
        guard.headers,
      ),
      ...errorResponses(
        [
          ...guard.errors,
          ...participantTokenErrors(config),
          ...inviteRedemptionErrors(config),
          ...(config.livekitUrl === undefined ? (['LIVEKIT_URL_NOT_SET'] as const) : []),
        ],
        guard.headers,
      ),
    },
  };
}
