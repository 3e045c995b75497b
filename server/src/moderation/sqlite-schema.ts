// The moderation file's tables. Created with IF NOT EXISTS and versioned by SQLite's
// user_version, so that a later version can tell which changes a file still needs.
//
// Versions: 1 bans, room limits, seats, rooms, webhook ids, the audit trail; 2 adds the
// invites and lobby tables. Version 2 only adds tables, so running SCHEMA_SQL on a version 1
// file is its whole migration: its IF NOT EXISTS leaves the older tables and their rows as
// they are. Indexes added to a version (bans_by_age, bans_by_room_age) are made by the same IF NOT EXISTS on
// files written before it. A version that changes a table will need a step of its own here.

/** The schema this server writes; a file with a higher user_version is refused. */
export const SCHEMA_VERSION = 2;

/**
 * Seats: one row per identity a room knows of. `present` from webhooks and
 * reconciliation, `hold_until_ms` for a token not joined yet (never set while present),
 * `last_event_ms` to ignore webhooks older than the last one applied. Its primary key
 * (room, identity) is the index of presence by room. Rooms: when presence was last heard
 * of, and the last room_finished, before which presence events are ignored.
 *
 * Invites: found by the hash of their code (unique: one code, one invite), listed by room,
 * pruned by expiry. Lobby: guests listed by room while waiting, pruned by expiry; its
 * `invite_id` has no foreign key, since an invite may be revoked while its guest waits.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS bans (
  id TEXT PRIMARY KEY,
  identity TEXT NOT NULL,
  room TEXT,
  reason TEXT,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER,
  created_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bans_by_identity_room ON bans (identity, room);
CREATE INDEX IF NOT EXISTS bans_by_expiry ON bans (expires_at_ms) WHERE expires_at_ms IS NOT NULL;
-- GET /bans a page at a time, of every room or of one (a host's page): each page starts at
-- its cursor rather than sorting every ban.
CREATE INDEX IF NOT EXISTS bans_by_age ON bans (created_at_ms, id);
CREATE INDEX IF NOT EXISTS bans_by_room_age ON bans (room, created_at_ms, id);

CREATE TABLE IF NOT EXISTS room_limits (
  room TEXT PRIMARY KEY,
  max_participants INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS seats (
  room TEXT NOT NULL,
  identity TEXT NOT NULL,
  present INTEGER NOT NULL DEFAULT 0,
  hold_until_ms INTEGER,
  last_event_ms INTEGER,
  PRIMARY KEY (room, identity)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rooms (
  room TEXT PRIMARY KEY,
  last_heard_ms INTEGER,
  finished_at_ms INTEGER
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS webhook_ids (
  id TEXT PRIMARY KEY,
  at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS webhook_ids_by_time ON webhook_ids (at_ms);

CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  event TEXT NOT NULL,
  room TEXT,
  identity TEXT,
  actor TEXT,
  request_id TEXT,
  details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_room ON audit (room, id);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (at_ms);

CREATE TABLE IF NOT EXISTS invites (
  id TEXT PRIMARY KEY,
  code_hash TEXT NOT NULL,
  room TEXT NOT NULL,
  role TEXT NOT NULL,
  identity TEXT,
  name TEXT,
  max_uses INTEGER NOT NULL,
  uses INTEGER NOT NULL DEFAULT 0,
  waiting_room INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  created_by TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS invites_by_code_hash ON invites (code_hash);
CREATE INDEX IF NOT EXISTS invites_by_room ON invites (room, created_at_ms);
CREATE INDEX IF NOT EXISTS invites_by_expiry ON invites (expires_at_ms);

CREATE TABLE IF NOT EXISTS lobby (
  id TEXT PRIMARY KEY,
  room TEXT NOT NULL,
  invite_id TEXT NOT NULL,
  poll_token_hash TEXT NOT NULL,
  identity TEXT NOT NULL,
  name TEXT,
  role TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'admitted', 'denied')),
  collected INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  decided_at_ms INTEGER,
  decided_by TEXT
);
CREATE INDEX IF NOT EXISTS lobby_by_room ON lobby (room, status, created_at_ms);
CREATE INDEX IF NOT EXISTS lobby_by_expiry ON lobby (expires_at_ms);
`;
