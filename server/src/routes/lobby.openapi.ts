// The lobby's routes as /openapi.json describes them.
import type { OperationContext } from '../openapi/guard';
import { errorResponses, jsonAnswer } from '../openapi/responses';
import type { Operation, Parameter } from '../openapi/types';
import { connectionDetailsAnswerSchema } from './connection-details.openapi';
import { DECIDED_ENTRY_SCHEMA, LOBBY_ENTRY_SCHEMA } from './invite-view';
import { MODERATION_STORE_ERRORS, ROOM_PATH_PARAMETER } from './moderation.openapi';

const LOBBY_ID_PARAMETER: Parameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The lobby entry, as the 202 of a waiting-room redemption named it.',
  schema: { type: 'string' },
};

/** `GET /lobby/{id}` in the document. */
export function pollLobbyOperation({ config, guard }: OperationContext): Operation {
  return {
    operationId: 'pollLobby',
    summary: "A guest's wait in the lobby",
    description:
      "Where a guest who redeemed a waiting-room invite stands: `waiting`, `admitted`, `denied` or `expired` (LOBBY_WAIT_SECONDS). Send the entry's `poll_token` as `Authorization: Bearer`; `wait` long-polls until the status changes or that many seconds pass. The first poll that sees `admitted` gets `connection_details`, as POST /connection-details answers them; later ones get `collected: true`. Wrong poll tokens spend the failure budget of invites (INVITE_FAILURE_LIMIT_PER_MINUTE).",
    tags: ['invites'],
    parameters: [
      LOBBY_ID_PARAMETER,
      {
        name: 'wait',
        in: 'query',
        required: false,
        description: 'Seconds to wait for a decision before answering (0 to 25; default 0).',
        schema: { type: 'integer', minimum: 0, maximum: 25 },
      },
    ],
    responses: {
      '200': jsonAnswer(
        'The wait, and the connection details once admitted.',
        {
          type: 'object',
          required: ['lobby'],
          additionalProperties: false,
          properties: {
            lobby: {
              type: 'object',
              required: ['id', 'status', 'expires_at'],
              additionalProperties: false,
              properties: {
                id: { type: 'string' },
                status: { enum: ['waiting', 'admitted', 'denied', 'expired'] },
                expires_at: { type: 'string', format: 'date-time' },
                collected: {
                  type: 'boolean',
                  description: 'Admitted, and the connection details were handed out already.',
                },
              },
            },
            connection_details: connectionDetailsAnswerSchema(config),
          },
        },
        guard.headers,
      ),
      ...errorResponses(
        [
          ...guard.errors,
          'VALIDATION_ERROR',
          'INVALID_POLL_TOKEN',
          'LOBBY_ENTRY_NOT_FOUND',
          'RATE_LIMITED',
          'BANNED',
          'ROOM_FULL',
          'LIVEKIT_URL_NOT_SET',
          ...MODERATION_STORE_ERRORS,
        ],
        guard.headers,
      ),
    },
  };
}

/** `GET /rooms/{room}/lobby` in the document. */
export function listLobbyOperation({ guard }: OperationContext): Operation {
  return {
    operationId: 'listLobby',
    summary: 'Who waits in the lobby',
    description:
      "The guests of a room's waiting-room invites still waiting, oldest first. A LiveKit host token lists its own room's.",
    tags: ['invites'],
    parameters: [ROOM_PATH_PARAMETER],
    responses: {
      '200': jsonAnswer(
        'The guests waiting.',
        {
          type: 'object',
          required: ['waiting'],
          additionalProperties: false,
          properties: { waiting: { type: 'array', items: LOBBY_ENTRY_SCHEMA } },
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

function decideOperation(
  operationId: string,
  summary: string,
  description: string,
  { guard }: OperationContext,
): Operation {
  return {
    operationId,
    summary,
    description,
    tags: ['invites'],
    parameters: [ROOM_PATH_PARAMETER, LOBBY_ID_PARAMETER],
    responses: {
      '200': jsonAnswer('The guest, decided.', DECIDED_ENTRY_SCHEMA, guard.headers),
      ...errorResponses(
        [...guard.errors, 'VALIDATION_ERROR', 'LOBBY_ENTRY_NOT_FOUND', ...MODERATION_STORE_ERRORS],
        guard.headers,
      ),
    },
  };
}

/** `POST /rooms/{room}/lobby/{id}/admit` in the document. */
export function admitOperation(context: OperationContext): Operation {
  return decideOperation(
    'admitLobbyGuest',
    'Admit a waiting guest',
    "The guest's next poll gets its connection details (bans and the room's cap still apply then). Only a guest still waiting can be admitted: one decision, whichever instance it reaches.",
    context,
  );
}

/** `POST /rooms/{room}/lobby/{id}/deny` in the document. */
export function denyOperation(context: OperationContext): Operation {
  return decideOperation(
    'denyLobbyGuest',
    'Deny a waiting guest',
    "The guest's next poll answers `denied`; its use of the invite is not given back.",
    context,
  );
}
