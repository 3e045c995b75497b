// POST /bans, GET /bans and DELETE /bans/{id} as /openapi.json describes them.
import type { OperationContext } from '../openapi/guard';
import { jsonSchemaOf } from '../openapi/json-schema';
import { errorResponses, jsonAnswer, JSON_MEDIA_TYPE } from '../openapi/responses';
import type { Operation } from '../openapi/types';
import { banBodySchema } from '../schemas/ban-body';
import { DEFAULT_BANS_PAGE, MAX_BANS_PAGE } from './ban-page';
import { BAN_SCHEMA } from './ban-view';
import { MODERATION_STORE_ERRORS, noContentAnswer } from './moderation.openapi';

/** `POST /bans` in the document. */
export function createBanOperation({ guard }: OperationContext): Operation {
  return {
    operationId: 'createBan',
    summary: 'Ban an identity',
    description:
      'Keeps an identity out of one room (or every room): from then on /token and /connection-details answer 403 BANNED for it, on every instance and after a restart. With LIVEKIT_URL, the participant is also removed from the room now, and again whenever LiveKit reports it joining (a client refreshed by LiveKit can otherwise come back). A LiveKit host token bans in its own room only.',
    tags: ['moderation'],
    requestBody: {
      required: true,
      content: {
        [JSON_MEDIA_TYPE]: {
          schema: jsonSchemaOf(banBodySchema),
          example: { identity: 'mallory', room: 'lab', reason: 'spam', duration_seconds: 3600 },
        },
      },
    },
    responses: {
      '201': jsonAnswer('The ban, in force now.', BAN_SCHEMA, guard.headers),
      ...errorResponses([...guard.errors, ...MODERATION_STORE_ERRORS], guard.headers),
    },
  };
}

/** `GET /bans` in the document. */
export function listBansOperation({ guard }: OperationContext): Operation {
  return {
    operationId: 'listBans',
    summary: 'List the bans in force',
    description:
      "The bans in force, oldest first, a page at a time: follow `next` as `after` for the next page. `room` lists that room's own bans (bans of every room are listed without `room`). A LiveKit host token must name its room.",
    tags: ['moderation'],
    parameters: [
      {
        name: 'room',
        in: 'query',
        required: false,
        description: "Only this room's bans.",
        schema: { type: 'string', minLength: 1, maxLength: 256 },
      },
      {
        name: 'identity',
        in: 'query',
        required: false,
        description: "Only this identity's bans.",
        schema: { type: 'string', minLength: 1, maxLength: 256 },
      },
      {
        name: 'limit',
        in: 'query',
        required: false,
        description: 'Bans per page.',
        schema: {
          type: 'integer',
          minimum: 1,
          maximum: MAX_BANS_PAGE,
          default: DEFAULT_BANS_PAGE,
        },
      },
      {
        name: 'after',
        in: 'query',
        required: false,
        description: 'The `next` of the previous page.',
        schema: { type: 'string' },
      },
    ],
    responses: {
      '200': jsonAnswer(
        'A page of the bans in force.',
        {
          type: 'object',
          required: ['bans'],
          additionalProperties: false,
          properties: {
            bans: { type: 'array', items: BAN_SCHEMA },
            next: { type: 'string', description: 'Absent on the last page.' },
          },
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

/** `DELETE /bans/{id}` in the document. */
export function removeBanOperation({ guard }: OperationContext): Operation {
  return {
    operationId: 'removeBan',
    summary: 'Lift a ban',
    description:
      "Lifts a ban at once, on every instance. A LiveKit host token lifts its own room's bans only.",
    tags: ['moderation'],
    parameters: [
      {
        name: 'id',
        in: 'path',
        required: true,
        description: 'The ban, as POST /bans and GET /bans answer it.',
        schema: { type: 'string' },
      },
    ],
    responses: {
      '204': noContentAnswer('Lifted.', guard.headers),
      ...errorResponses(
        [...guard.errors, 'BAN_NOT_FOUND', ...MODERATION_STORE_ERRORS],
        guard.headers,
      ),
    },
  };
}
