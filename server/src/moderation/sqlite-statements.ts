// The moderation file's statements (bans, room limits, seats, presence, webhook ids, the
// audit trail), prepared once per connection: each call of the store only binds values.
// Invites and the lobby prepare their own (sqlite-invites.ts).
import type Database from 'better-sqlite3';
import { WEBHOOK_ID_RETENTION_MS } from './retention';

/** A row of `bans`. */
export interface BanRow {
  id: string;
  identity: string;
  room: string | null;
  reason: string | null;
  created_at_ms: number;
  expires_at_ms: number | null;
  created_by: string;
}

/** A row of `audit`. */
export interface AuditRow {
  id: number;
  at_ms: number;
  event: string;
  room: string | null;
  identity: string | null;
  actor: string | null;
  request_id: string | null;
  details: string;
}

/** A seat's state, as a claim reads it. */
interface SeatRow {
  present: number;
  hold_until_ms: number | null;
}

/** What every GET /bans statement takes: the time, where the page starts, how many. */
interface BanPageParameters {
  nowMs: number;
  afterMs: number;
  afterId: string;
  limit: number;
}

/** Prepares the statements of the store over `db`. */
export function prepareStatements(db: Database.Database) {
  return {
    addBan: db.prepare(
      `INSERT INTO bans (id, identity, room, reason, created_at_ms, expires_at_ms, created_by)
     VALUES (@id, @identity, @room, @reason, @createdAtMs, @expiresAtMs, @createdBy)`,
    ),
    banById: db.prepare<[string], BanRow>('SELECT * FROM bans WHERE id = ?'),
    deleteBan: db.prepare('DELETE FROM bans WHERE id = ?'),
    // GET /bans in three statements, one per index, since SQLite uses no index for a filter
    // written `(@room IS NULL OR room = @room)`: a room's page read every ban (16 ms of
    // 100,000). A page starts after its cursor (`afterMs`, `afterId`).
    listBans: db.prepare<BanPageParameters, BanRow>(
      `SELECT * FROM bans
     WHERE (created_at_ms, id) > (@afterMs, @afterId)
       AND (expires_at_ms IS NULL OR expires_at_ms > @nowMs)
     ORDER BY created_at_ms, id LIMIT @limit`,
    ),
    listRoomBans: db.prepare<BanPageParameters & { room: string }, BanRow>(
      `SELECT * FROM bans
     WHERE room = @room AND (created_at_ms, id) > (@afterMs, @afterId)
       AND (expires_at_ms IS NULL OR expires_at_ms > @nowMs)
     ORDER BY created_at_ms, id LIMIT @limit`,
    ),
    listIdentityBans: db.prepare<
      BanPageParameters & { identity: string; room: string | null },
      BanRow
    >(
      `SELECT * FROM bans
     WHERE identity = @identity AND (@room IS NULL OR room = @room)
       AND (created_at_ms, id) > (@afterMs, @afterId)
       AND (expires_at_ms IS NULL OR expires_at_ms > @nowMs)
     ORDER BY created_at_ms, id LIMIT @limit`,
    ),
    banFor: db.prepare<{ identity: string; room: string; nowMs: number }, BanRow>(
      `SELECT * FROM bans
     WHERE identity = @identity AND (room = @room OR room IS NULL)
       AND (expires_at_ms IS NULL OR expires_at_ms > @nowMs)
     ORDER BY created_at_ms, id LIMIT 1`,
    ),
    setRoomLimit: db.prepare(
      `INSERT INTO room_limits (room, max_participants) VALUES (?, ?)
     ON CONFLICT (room) DO UPDATE SET max_participants = excluded.max_participants`,
    ),
    clearRoomLimit: db.prepare('DELETE FROM room_limits WHERE room = ?'),
    roomLimit: db.prepare<[string], { max_participants: number }>(
      'SELECT max_participants FROM room_limits WHERE room = ?',
    ),
    seat: db.prepare<[string, string], SeatRow>(
      'SELECT present, hold_until_ms FROM seats WHERE room = ? AND identity = ?',
    ),
    seatsTaken: db.prepare<[string, number], { seats: number }>(
      `SELECT count(*) AS seats FROM seats
     WHERE room = ? AND (present = 1 OR hold_until_ms > ?)`,
    ),
    hold: db.prepare(
      `INSERT INTO seats (room, identity, present, hold_until_ms) VALUES (?, ?, 0, ?)
     ON CONFLICT (room, identity) DO UPDATE SET hold_until_ms = excluded.hold_until_ms`,
    ),
    finishedAt: db.prepare<[string], { finished_at_ms: number | null }>(
      'SELECT finished_at_ms FROM rooms WHERE room = ?',
    ),
    heard: db.prepare(
      `INSERT INTO rooms (room, last_heard_ms) VALUES (@room, @atMs)
     ON CONFLICT (room) DO UPDATE SET last_heard_ms = max(coalesce(last_heard_ms, @atMs), @atMs)`,
    ),
    // A newer event recorded for that identity wins: the older one changes nothing.
    presence: db.prepare(
      `INSERT INTO seats (room, identity, present, hold_until_ms, last_event_ms)
     VALUES (@room, @identity, @present, NULL, @atMs)
     ON CONFLICT (room, identity) DO UPDATE SET
       present = excluded.present,
       hold_until_ms = CASE WHEN excluded.present = 1 THEN NULL ELSE hold_until_ms END,
       last_event_ms = excluded.last_event_ms
     WHERE last_event_ms IS NULL OR last_event_ms <= excluded.last_event_ms`,
    ),
    presentIn: db.prepare<[string], { identity: string }>(
      'SELECT identity FROM seats WHERE room = ? AND present = 1',
    ),
    finish: db.prepare(
      `INSERT INTO rooms (room, last_heard_ms, finished_at_ms) VALUES (@room, @atMs, @atMs)
     ON CONFLICT (room) DO UPDATE SET
       last_heard_ms = max(coalesce(last_heard_ms, @atMs), @atMs),
       finished_at_ms = max(coalesce(finished_at_ms, @atMs), @atMs)`,
    ),
    forgetRoom: db.prepare('DELETE FROM seats WHERE room = ?'),
    occupants: db.prepare<[string, number], { identity: string; present: number }>(
      `SELECT identity, present FROM seats
     WHERE room = ? AND (present = 1 OR hold_until_ms > ?) ORDER BY identity`,
    ),
    lastHeard: db.prepare<[string], { last_heard_ms: number | null }>(
      'SELECT last_heard_ms FROM rooms WHERE room = ?',
    ),
    // A retry within the day does nothing; an id last seen over a day ago counts anew.
    markWebhook: db.prepare(
      `INSERT INTO webhook_ids (id, at_ms) VALUES (@id, @nowMs)
     ON CONFLICT (id) DO UPDATE SET at_ms = excluded.at_ms
     WHERE excluded.at_ms - at_ms >= ${WEBHOOK_ID_RETENTION_MS}`,
    ),
    appendAudit: db.prepare(
      `INSERT INTO audit (at_ms, event, room, identity, actor, request_id, details)
     VALUES (@atMs, @event, @room, @identity, @actor, @requestId, @details)`,
    ),
    listAudit: db.prepare<
      {
        room: string;
        afterId: number;
        sinceMs: number | null;
        untilMs: number | null;
        identity: string | null;
        limit: number;
      },
      AuditRow
    >(
      `SELECT * FROM audit
     WHERE room = @room AND id > @afterId
       AND (@sinceMs IS NULL OR at_ms >= @sinceMs)
       AND (@untilMs IS NULL OR at_ms < @untilMs)
       AND (@identity IS NULL OR identity = @identity)
     ORDER BY id LIMIT @limit`,
    ),
    pruneAudit: db.prepare('DELETE FROM audit WHERE at_ms < ?'),
    pruneBans: db.prepare('DELETE FROM bans WHERE expires_at_ms <= ?'),
    pruneHolds: db.prepare(
      'UPDATE seats SET hold_until_ms = NULL WHERE present = 0 AND hold_until_ms <= ?',
    ),
    // Rows left only to order late webhooks, once those could no longer come.
    pruneGuards: db.prepare(
      `DELETE FROM seats WHERE present = 0 AND hold_until_ms IS NULL
       AND (last_event_ms IS NULL OR last_event_ms < ?)`,
    ),
    pruneRooms: db.prepare(
      `DELETE FROM rooms WHERE coalesce(last_heard_ms, 0) < ?
       AND NOT EXISTS (SELECT 1 FROM seats WHERE seats.room = rooms.room)`,
    ),
    pruneWebhooks: db.prepare('DELETE FROM webhook_ids WHERE at_ms <= ?'),
  };
}
