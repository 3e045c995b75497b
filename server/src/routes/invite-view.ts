// An invite and a lobby entry as the routes answer them: snake_case, ISO times, never a
// code's hash or a poll token's.
import type { Invite, LobbyEntry } from '../moderation/store';
import type { JsonSchema } from '../openapi/types';

/** An invite in an answer; its code only in the answer that made it. */
export interface InviteView {
  id: string;
  room: string;
  role: string;
  max_uses: number;
  uses: number;
  expires_at: string;
  identity: string | null;
  name: string | null;
  waiting_room: boolean;
  created_at: string;
  created_by: string;
}

/** A stored invite as answers show it. */
export function inviteView(invite: Invite): InviteView {
  return {
    id: invite.id,
    room: invite.room,
    role: invite.role,
    max_uses: invite.maxUses,
    uses: invite.uses,
    expires_at: new Date(invite.expiresAtMs).toISOString(),
    identity: invite.identity,
    name: invite.name,
    waiting_room: invite.waitingRoom,
    created_at: new Date(invite.createdAtMs).toISOString(),
    created_by: invite.createdBy,
  };
}

/** A guest in the lobby as moderators see it. */
export function lobbyEntryView(entry: LobbyEntry) {
  return {
    id: entry.id,
    identity: entry.identity,
    name: entry.name,
    role: entry.role,
    since: new Date(entry.createdAtMs).toISOString(),
    expires_at: new Date(entry.expiresAtMs).toISOString(),
  };
}

/** The 202 of a waiting-room redemption: where and how to poll. The poll token is shown once. */
export function lobbyWaitView(entry: LobbyEntry, pollToken: string) {
  return {
    lobby: {
      id: entry.id,
      poll_token: pollToken,
      status: 'waiting' as const,
      expires_at: new Date(entry.expiresAtMs).toISOString(),
    },
  };
}

/** The document's schema of the 202 of a waiting-room redemption. */
export const LOBBY_WAIT_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['lobby'],
  additionalProperties: false,
  properties: {
    lobby: {
      type: 'object',
      required: ['id', 'poll_token', 'status', 'expires_at'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', description: 'The lobby entry: GET /lobby/{id}.' },
        poll_token: {
          type: 'string',
          description: 'Send as Authorization: Bearer to GET /lobby/{id}; shown only here.',
        },
        status: { enum: ['waiting'] },
        expires_at: { type: 'string', format: 'date-time', description: 'When the wait runs out.' },
      },
    },
  },
};

/** A decided lobby entry, as admit and deny answer it. */
export function decidedEntryView(entry: LobbyEntry) {
  return {
    ...lobbyEntryView(entry),
    status: entry.status,
    decided_at: entry.decidedAtMs === null ? null : new Date(entry.decidedAtMs).toISOString(),
    decided_by: entry.decidedBy,
  };
}

const nullableString = (description: string): JsonSchema => ({
  anyOf: [{ type: 'string' }, { type: 'null' }],
  description,
});

const INVITE_PROPERTIES: Record<string, JsonSchema> = {
  id: { type: 'string', description: 'The invite, for DELETE /invites/{id}.' },
  room: { type: 'string' },
  role: { type: 'string', description: "The guests' role." },
  max_uses: { type: 'integer', minimum: 1 },
  uses: { type: 'integer', minimum: 0, description: 'Redemptions so far.' },
  expires_at: { type: 'string', format: 'date-time' },
  identity: nullableString('The identity every guest gets; null: a generated one each.'),
  name: nullableString("The guests' display name when they give none."),
  waiting_room: { type: 'boolean', description: 'Guests wait in the lobby until admitted.' },
  created_at: { type: 'string', format: 'date-time' },
  created_by: { type: 'string', description: 'Who made it: a caller label, never a key.' },
};

/** The document's schema of an invite as listed (no code). */
export const INVITE_SCHEMA: JsonSchema = {
  type: 'object',
  required: Object.keys(INVITE_PROPERTIES),
  additionalProperties: false,
  properties: INVITE_PROPERTIES,
};

/** The document's schema of a new invite: the code, shown this once, and its link. */
export const CREATED_INVITE_SCHEMA: JsonSchema = {
  type: 'object',
  required: [...Object.keys(INVITE_PROPERTIES), 'code'],
  additionalProperties: false,
  properties: {
    ...INVITE_PROPERTIES,
    code: {
      type: 'string',
      description:
        'The code guests redeem (four groups of four letters), shown only here: the server keeps its hash.',
    },
    url: {
      type: 'string',
      description: 'INVITE_URL_BASE with ?code=…, when INVITE_URL_BASE is set.',
    },
  },
};

const LOBBY_ENTRY_PROPERTIES: Record<string, JsonSchema> = {
  id: { type: 'string' },
  identity: { type: 'string', description: "The identity the guest's token will carry." },
  name: nullableString('The display name the guest gave.'),
  role: { type: 'string' },
  since: { type: 'string', format: 'date-time', description: 'When the guest began to wait.' },
  expires_at: { type: 'string', format: 'date-time', description: 'When its wait runs out.' },
};

/** The document's schema of a waiting guest. */
export const LOBBY_ENTRY_SCHEMA: JsonSchema = {
  type: 'object',
  required: Object.keys(LOBBY_ENTRY_PROPERTIES),
  additionalProperties: false,
  properties: LOBBY_ENTRY_PROPERTIES,
};

/** The document's schema of an admitted or denied guest. */
export const DECIDED_ENTRY_SCHEMA: JsonSchema = {
  type: 'object',
  required: [...Object.keys(LOBBY_ENTRY_PROPERTIES), 'status', 'decided_at', 'decided_by'],
  additionalProperties: false,
  properties: {
    ...LOBBY_ENTRY_PROPERTIES,
    status: { enum: ['admitted', 'denied'] },
    decided_at: nullableString('When.'),
    decided_by: nullableString('Who decided: a caller label.'),
  },
};
