// POST /invites, GET /invites and DELETE /invites/{id} as /openapi.json describes them.
import type { OperationContext } from '../openapi/guard';
import { jsonSchemaOf } from '../openapi/json-schema';
import { errorResponses, jsonAnswer, JSON_MEDIA_TYPE } from '../openapi/responses';
import type { Operation, Parameter } from '../openapi/types';
import { inviteBodySchema } from '../schemas/invite-body';
import { CREATED_INVITE_SCHEMA, INVITE_SCHEMA } from './invite-view';
import { MODERATION_STORE_ERRORS, noContentAnswer } from './moderation.openapi';

/** The header a guest sends its invite code in, on the token routes. */
export const INVITE_CODE_PARAMETER: Parameter = {
  name: 'X-Invite-Code',
  in: 'header',
  required: false,
  description:
    "A guest's invite code (POST /invites): the guest's only credential, in every AUTH_MODE.",
  schema: { type: 'string', minLength: 1, maxLength: 64 },
};

/** `POST /invites` in the document. */
export function createInviteOperation({ config, guard }: OperationContext): Operation {
  return {
    operationId: 'createInvite',
    summary: 'Make an invite for guests',
    description:
      "An invite lets guests (no API key, no login) into one room with one role: they send its code as `X-Invite-Code` to POST /connection-details or /token, in every AUTH_MODE. The code (72 random bits, four groups of four letters) is answered only here; the server keeps its hash. With `waiting_room`, guests wait in the room's lobby until a moderator admits them. A LiveKit host token makes invites for its own room, to roles without roomAdmin.",
    tags: ['invites'],
    requestBody: {
      required: true,
      content: {
        [JSON_MEDIA_TYPE]: {
          schema: jsonSchemaOf(inviteBodySchema(config)),
          example: { room: 'clinic-7', max_uses: 1, waiting_room: true, name: 'Patient' },
        },
      },
    },
    responses: {
      '201': jsonAnswer(
        'The invite, with its code: shown this once.',
        CREATED_INVITE_SCHEMA,
        guard.headers,
      ),
      ...errorResponses(
        [...guard.errors, 'ROLE_NOT_ALLOWED', 'ROOM_NOT_ALLOWED', ...MODERATION_STORE_ERRORS],
        guard.headers,
      ),
    },
  };
}

/** `GET /invites` in the document. */
export function listInvitesOperation({ guard }: OperationContext): Operation {
  return {
    operationId: 'listInvites',
    summary: "List a room's invites",
    description:
      "A room's invites, oldest first, expired and used-up ones too (until a day past their expiry), without their codes.",
    tags: ['invites'],
    parameters: [
      {
        name: 'room',
        in: 'query',
        required: true,
        description: 'The room.',
        schema: { type: 'string', minLength: 1, maxLength: 256 },
      },
    ],
    responses: {
      '200': jsonAnswer(
        "The room's invites.",
        {
          type: 'object',
          required: ['invites'],
          additionalProperties: false,
          properties: { invites: { type: 'array', items: INVITE_SCHEMA } },
        },
        guard.headers,
      ),
      ...errorResponses(
        [...guard.errors, 'VALIDATION_ERROR', ...MODERATION_STORE_ERRORS],
        guard.headers,
      ),
    },
  };
}

/** `DELETE /invites/{id}` in the document. */
export function revokeInviteOperation({ guard }: OperationContext): Operation {
  return {
    operationId: 'revokeInvite',
    summary: 'Revoke an invite',
    description:
      'Its code stops working at once, on every instance (a revoked code answers as an unknown one: 404 INVITE_NOT_FOUND). Tokens already issued with it are not touched: ban the guest for that.',
    tags: ['invites'],
    parameters: [
      {
        name: 'id',
        in: 'path',
        required: true,
        description: 'The invite, as POST /invites and GET /invites answer it.',
        schema: { type: 'string' },
      },
    ],
    responses: {
      '204': noContentAnswer('Revoked.', guard.headers),
      ...errorResponses(
        [...guard.errors, 'INVITE_NOT_FOUND', ...MODERATION_STORE_ERRORS],
        guard.headers,
      ),
    },
  };
}
