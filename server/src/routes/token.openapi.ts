// POST /token as /openapi.json describes it: the request from the Joi schema the handler
// validates with (schemas/token-body.ts), the answers written here beside the handler.
import type { Config } from '../config';
import { jsonSchemaOf } from '../openapi/json-schema';
import { errorResponses, jsonAnswer, JSON_MEDIA_TYPE } from '../openapi/responses';
import {
  inviteRedemptionErrors,
  participantTokenErrors,
  type OperationContext,
} from '../openapi/guard';
import type { JsonSchema, Operation } from '../openapi/types';
import { guestTokenBodySchema } from '../schemas/guest-token-body';
import { tokenBodySchema } from '../schemas/token-body';
import { INVITE_CODE_PARAMETER } from './invites.openapi';
import { LOBBY_WAIT_SCHEMA } from './invite-view';

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

/**
 * The body of POST /token: the fields of tokenBodySchema and `invite_code`, flat (as the
 * reference shows them), where a body with invite_code is a guest's and needs nothing else,
 * and one without needs what tokenBodySchema asks (an identity, full_name): the schema of
 * the guest's body (guest-token-body.ts) has the same fields, each with the same rules.
 */
function tokenRequestSchema(config: Config): JsonSchema {
  const { required, anyOf, not, properties, ...plain } = jsonSchemaOf(tokenBodySchema(config));
  const refusals = ((not as { anyOf?: JsonSchema[] } | undefined)?.anyOf ?? []).filter(
    (refusal) => !String(refusal.title).startsWith('neither'),
  );
  const missing = ((not as { anyOf?: JsonSchema[] } | undefined)?.anyOf ?? []).filter((refusal) =>
    String(refusal.title).startsWith('neither'),
  );
  const guestFields = jsonSchemaOf(guestTokenBodySchema(config)).properties as Record<
    string,
    JsonSchema
  >;
  return {
    ...plain,
    properties: {
      ...(properties as Record<string, JsonSchema>),
      invite_code: guestFields.invite_code as JsonSchema,
    },
    ...(refusals.length === 0 ? {} : { not: { anyOf: refusals } }),
    anyOf: [
      { title: 'with invite_code (a guest)', required: ['invite_code'] },
      {
        title: 'without an invite',
        ...(required === undefined ? {} : { required }),
        ...(anyOf === undefined ? {} : { anyOf }),
        ...(missing.length === 0 ? {} : { not: { anyOf: missing } }),
      },
    ],
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
        : '') +
      " A guest redeems an invite with its code in `X-Invite-Code` or `invite_code`, and no other credential: the invite's room, role and identity are the token's (or, for a waiting-room invite, 202 and a place in the lobby).",
    tags: ['tokens'],
    parameters: [INVITE_CODE_PARAMETER],
    requestBody: {
      required: true,
      content: {
        [JSON_MEDIA_TYPE]: {
          schema: tokenRequestSchema(config),
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
      '202': jsonAnswer(
        "A waiting-room invite: the guest's place in the lobby; poll GET /lobby/{id}.",
        LOBBY_WAIT_SCHEMA,
        guard.headers,
      ),
      ...errorResponses(
        [...guard.errors, ...participantTokenErrors(config), ...inviteRedemptionErrors(config)],
        guard.headers,
      ),
    },
  };
}
