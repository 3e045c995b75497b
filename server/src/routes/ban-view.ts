// A ban as the moderation routes answer it: snake_case, ISO times, nothing secret.
import type { Ban } from '../moderation/store';
import type { JsonSchema } from '../openapi/types';

/** Ban ids are UUIDs (randomUUID): anything else is no ban of ours. */
export const BAN_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A ban in an answer. */
export interface BanView {
  id: string;
  identity: string;
  room: string | null;
  reason: string | null;
  created_at: string;
  expires_at: string | null;
  created_by: string;
}

/** A stored ban as answers show it. */
export function banView(ban: Ban): BanView {
  return {
    id: ban.id,
    identity: ban.identity,
    room: ban.room,
    reason: ban.reason,
    created_at: new Date(ban.createdAtMs).toISOString(),
    expires_at: ban.expiresAtMs === null ? null : new Date(ban.expiresAtMs).toISOString(),
    created_by: ban.createdBy,
  };
}

const nullableString = (description: string): JsonSchema => ({
  anyOf: [{ type: 'string' }, { type: 'null' }],
  description,
});

/** The document's schema of a ban. */
export const BAN_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['id', 'identity', 'room', 'reason', 'created_at', 'expires_at', 'created_by'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'The ban, for DELETE /bans/{id}.' },
    identity: { type: 'string', description: 'The identity kept out.' },
    room: nullableString('The room it is kept out of; null: every room.'),
    reason: nullableString('Why, as the moderator wrote it.'),
    created_at: { type: 'string', format: 'date-time' },
    expires_at: {
      anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }],
      description: 'When the ban stops holding; null: until lifted.',
    },
    created_by: {
      type: 'string',
      description:
        'Who banned: `api-key:key-N`, `jwt:<identity>` or `livekit:<identity>` (a host token), never a key.',
    },
  },
};
