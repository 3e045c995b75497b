// The moderation file's tables. Created with IF NOT EXISTS and versioned by SQLite's
// user_version, so that a later version can tell which changes a file still needs.

/** The schema this server writes; a file with a higher user_version is refused. */
export const SCHEMA_VERSION = 1;

/**
 * Seats: one row per identity a room knows of. `present` from webhooks and
 * reconciliation, `hold_until_ms` for a token not joined yet (never set while present),
 * `last_event_ms` to ignore webhooks older than the last one applied. Its primary key
 * (room, identity) is the index of presence by room. Rooms: when presence was last heard
 * of, and the last room_finished, before which presence events are ignored.
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
`;
