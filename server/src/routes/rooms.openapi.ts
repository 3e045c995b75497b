// GET and PUT /rooms/{room} and GET /rooms/{room}/audit as /openapi.json describes them.
import { AUDIT_EVENTS } from '../moderation/audit';
import type { OperationContext } from '../openapi/guard';
import { jsonSchemaOf } from '../openapi/json-schema';
import { errorResponses, jsonAnswer, JSON_MEDIA_TYPE } from '../openapi/responses';
import type { JsonSchema, Operation, Parameter } from '../openapi/types';
import { roomLimitBodySchema } from '../schemas/room-limit-body';
import { MODERATION_STORE_ERRORS, ROOM_PATH_PARAMETER } from './moderation.openapi';

const identities = (description: string): JsonSchema => ({
  type: 'array',
  items: { type: 'string' },
  description,
});

/** A room as GET and PUT /rooms/{room} answer it. */
const ROOM_SCHEMA: JsonSchema = {
  type: 'object',
  required: [
    'room',
    'max_participants',
    'max_participants_from',
    'participants',
    'seats_held',
    'seats_used',
    'last_heard_at',
  ],
  additionalProperties: false,
  properties: {
    room: { type: 'string' },
    max_participants: {
      anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }],
      description: 'The cap in force; null: none.',
    },
    max_participants_from: {
      enum: ['room', 'ROOM_MAX_PARTICIPANTS', 'none'],
      description: "Where the cap comes from: the room's own, the server's default, or none.",
    },
    participants: identities(
      'Who is in the room, as LiveKit reported (webhooks, ListParticipants).',
    ),
    seats_held: identities(
      'Who holds a seat with a token issued in the last SEAT_HOLD_SECONDS, not yet joined.',
    ),
    seats_used: { type: 'integer', minimum: 0, description: 'Participants plus seats held.' },
    last_heard_at: {
      anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }],
      description: 'When LiveKit last told of this room; null: never.',
    },
  },
};

/** `GET /rooms/{room}` in the document. */
export function roomOperation({ guard }: OperationContext): Operation {
  return {
    operationId: 'getRoom',
    summary: "A room's cap and who is in it",
    description:
      "The room's cap, the participants LiveKit reported, and the seats held by tokens not yet used. Seats count toward the cap; agents and recorders take none, as in LiveKit.",
    tags: ['moderation'],
    parameters: [ROOM_PATH_PARAMETER],
    responses: {
      '200': jsonAnswer('The room.', ROOM_SCHEMA, guard.headers),
      ...errorResponses(
        [...guard.errors, 'VALIDATION_ERROR', ...MODERATION_STORE_ERRORS],
        guard.headers,
      ),
    },
  };
}

/** `PUT /rooms/{room}` in the document. */
export function setRoomLimitOperation({ guard }: OperationContext): Operation {
  return {
    operationId: 'setRoomLimit',
    summary: "Set a room's cap",
    description:
      "Sets the room's cap on participants (null: back to ROOM_MAX_PARTICIPANTS). Token requests for a full room then get 409 ROOM_FULL, and tokens carry the cap as roomConfig.maxParticipants, which LiveKit applies when the join creates the room.",
    tags: ['moderation'],
    parameters: [ROOM_PATH_PARAMETER],
    requestBody: {
      required: true,
      content: {
        [JSON_MEDIA_TYPE]: {
          schema: jsonSchemaOf(roomLimitBodySchema),
          example: { max_participants: 12 },
        },
      },
    },
    responses: {
      '200': jsonAnswer('The room, with its new cap.', ROOM_SCHEMA, guard.headers),
      ...errorResponses([...guard.errors, ...MODERATION_STORE_ERRORS], guard.headers),
    },
  };
}

const AUDIT_ENTRY_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['id', 'at', 'event', 'room', 'identity', 'actor', 'request_id', 'details'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    event: { enum: [...AUDIT_EVENTS] },
    room: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    identity: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    actor: {
      anyOf: [{ type: 'string' }, { type: 'null' }],
      description: 'Who: a caller label, `livekit` for webhooks, `token-server` for its own acts.',
    },
    request_id: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    details: {
      type: 'object',
      additionalProperties: {
        anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }],
      },
      description:
        "Facts of the event: a token's role, route and expiry; a ban's id, reason and end.",
    },
  },
};

const query = (name: string, description: string, schema: JsonSchema): Parameter => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

/** `GET /rooms/{room}/audit` in the document. */
export function roomAuditOperation({ config, guard }: OperationContext): Operation {
  return {
    operationId: 'getRoomAudit',
    summary: "A room's audit trail",
    description: `Each token issued for the room (never the token), each moderation act, each join and leave LiveKit reported, oldest first, kept ${config.auditRetentionDays} days (AUDIT_RETENTION_DAYS). Follow \`next\` as \`after\` for the next page.`,
    tags: ['moderation'],
    parameters: [
      ROOM_PATH_PARAMETER,
      query('since', 'Entries at or after this time.', { type: 'string', format: 'date-time' }),
      query('until', 'Entries before this time.', { type: 'string', format: 'date-time' }),
      query('identity', "Only this identity's entries.", { type: 'string', minLength: 1 }),
      query('limit', 'Entries per page.', {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        default: 100,
      }),
      query('after', 'The `next` of the previous page.', { type: 'string' }),
    ],
    responses: {
      '200': jsonAnswer(
        'A page of the audit trail.',
        {
          type: 'object',
          required: ['entries'],
          additionalProperties: false,
          properties: {
            entries: { type: 'array', items: AUDIT_ENTRY_SCHEMA },
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
