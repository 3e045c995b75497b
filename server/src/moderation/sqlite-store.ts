// The moderation state in one SQLite file, DATA_DIR/moderation.db: the store of a single
// instance (or of instances sharing one disk), with no service to run. better-sqlite3 is
// synchronous; its calls are short (indexed reads, one small transaction), so the methods
// answer promises only to match the interface. WAL lets readers go on while one writer
// writes, and a claim runs in one IMMEDIATE transaction: the write lock is taken before the
// seats are counted, so two processes on one file can never both take the last seat.
// Invites and the lobby have a file of their own, sqlite-invites.ts, spread in below.
import {
  ModerationStoreUnavailableError,
  needsSeat,
  type Admittance,
  type AuditEntry,
  type AuditPage,
  type AuditQuery,
  type Ban,
  type BanFilter,
  type ModerationStore,
  type RoomOccupancy,
  type SeatClaim,
  type SeatRequest,
  type StoredAuditEntry,
} from './store';
import { parseDetails } from './audit-details';
import { turnBatch } from './turn-batch';
import {
  EXPIRED_INVITE_RETENTION_MS,
  PRESENCE_GUARD_RETENTION_MS,
  WEBHOOK_ID_RETENTION_MS,
} from './retention';
import { sqliteInvites } from './sqlite-invites';
import { DEFAULT_BUSY_TIMEOUT_MS, isUnavailable, openDatabase, reasonOf } from './sqlite-file';

/** Options beyond DATA_DIR, for tests. */
export interface SqliteStoreOptions {
  /** How long a write waits for the write lock (DEFAULT_BUSY_TIMEOUT_MS). */
  busyTimeoutMs?: number;
}

/** Audit ids: the row id, zero-padded so that ids sort as strings as they do as numbers. */
const AUDIT_ID_DIGITS = 16;
const AUDIT_ID_PATTERN = /^\d{16}$/;

interface BanRow {
  id: string;
  identity: string;
  room: string | null;
  reason: string | null;
  created_at_ms: number;
  expires_at_ms: number | null;
  created_by: string;
}

interface AuditRow {
  id: number;
  at_ms: number;
  event: string;
  room: string | null;
  identity: string | null;
  actor: string | null;
  request_id: string | null;
  details: string;
}

interface SeatRow {
  present: number;
  hold_until_ms: number | null;
}

function banOf(row: BanRow): Ban {
  return {
    id: row.id,
    identity: row.identity,
    room: row.room,
    reason: row.reason,
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms,
    createdBy: row.created_by,
  };
}

function auditEntryOf(row: AuditRow): StoredAuditEntry {
  return {
    id: String(row.id).padStart(AUDIT_ID_DIGITS, '0'),
    atMs: row.at_ms,
    event: row.event,
    room: row.room,
    identity: row.identity,
    actor: row.actor,
    requestId: row.request_id,
    details: parseDetails(row.details),
  };
}

/**
 * Opens (creating it and DATA_DIR when missing) the moderation file in `dataDir`. Throws an
 * Error with a one-line message naming DATA_DIR when the folder or file cannot be used.
 */
export function openSqliteModerationStore(
  dataDir: string,
  options: SqliteStoreOptions = {},
): ModerationStore {
  const db = openDatabase(dataDir, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  let closed = false;

  /** Runs one call, with the file's failures as ModerationStoreUnavailableError. */
  const run = async <T>(work: () => T): Promise<T> => {
    if (closed) throw new ModerationStoreUnavailableError('the moderation store is closed');
    try {
      return work();
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      throw new ModerationStoreUnavailableError(
        `the moderation file in DATA_DIR (${dataDir}) cannot answer: ${reasonOf(error)}`,
        { cause: error },
      );
    }
  };

  const invites = sqliteInvites(db, run);

  /**
   * Audit entries are written a turn of the event loop at a time, in one transaction: a
   * commit costs some 90 µs, an insert a few, and every token issued appends one.
   */
  const auditBatch = turnBatch<AuditEntry>((entries) =>
    run(() =>
      db.transaction(() => {
        for (const entry of entries) {
          statements.appendAudit.run({ ...entry, details: JSON.stringify(entry.details) });
        }
      })(),
    ),
  );

  // Prepared once: each call only binds values.
  const statements = {
    addBan: db.prepare(
      `INSERT INTO bans (id, identity, room, reason, created_at_ms, expires_at_ms, created_by)
       VALUES (@id, @identity, @room, @reason, @createdAtMs, @expiresAtMs, @createdBy)`,
    ),
    banById: db.prepare<[string], BanRow>('SELECT * FROM bans WHERE id = ?'),
    deleteBan: db.prepare('DELETE FROM bans WHERE id = ?'),
    listBans: db.prepare<{ room: string | null; identity: string | null; nowMs: number }, BanRow>(
      `SELECT * FROM bans
       WHERE (@identity IS NULL OR identity = @identity)
         AND (@room IS NULL OR room = @room)
         AND (expires_at_ms IS NULL OR expires_at_ms > @nowMs)
       ORDER BY created_at_ms, id`,
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
    release: db.prepare(
      'UPDATE seats SET hold_until_ms = NULL WHERE room = ? AND identity = ? AND present = 0',
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

  /** True when presence heard at `atMs` predates the room's last room_finished. */
  const beforeFinish = (room: string, atMs: number): boolean => {
    const finished = statements.finishedAt.get(room)?.finished_at_ms;
    return finished !== null && finished !== undefined && atMs < finished;
  };

  const recordPresence = db.transaction(
    (room: string, identity: string, present: 0 | 1, atMs: number) => {
      statements.heard.run({ room, atMs });
      if (beforeFinish(room, atMs)) return;
      statements.presence.run({ room, identity, present, atMs });
    },
  );

  const replaceParticipants = db.transaction(
    (room: string, identities: readonly string[], atMs: number) => {
      statements.heard.run({ room, atMs });
      if (beforeFinish(room, atMs)) return;
      const listed = new Set(identities);
      for (const { identity } of statements.presentIn.all(room)) {
        if (!listed.has(identity)) statements.presence.run({ room, identity, present: 0, atMs });
      }
      for (const identity of listed) statements.presence.run({ room, identity, present: 1, atMs });
    },
  );

  const claimSeat = db.transaction((request: SeatRequest): SeatClaim => {
    const { room, identity, nowMs } = request;
    const holdUntilMs = nowMs + request.holdMs;
    const mine = statements.seat.get(room, identity);
    const seats = (): number => statements.seatsTaken.get(room, nowMs)?.seats ?? 0;
    if (mine?.present === 1) {
      if (request.duplicateIdentity === 'refuse') return { outcome: 'identity-in-use' };
      return { outcome: 'granted', seats: seats() };
    }
    if (mine?.hold_until_ms != null && mine.hold_until_ms > nowMs) {
      statements.hold.run(room, identity, holdUntilMs);
      return { outcome: 'granted', seats: seats() };
    }
    const taken = seats();
    if (request.maxParticipants !== undefined && taken >= request.maxParticipants) {
      return { outcome: 'full', seats: taken };
    }
    statements.hold.run(room, identity, holdUntilMs);
    return { outcome: 'granted', seats: taken + 1 };
  });

  const prune = db.transaction((beforeMs: number, nowMs: number): number => {
    const removed = statements.pruneAudit.run(beforeMs).changes;
    statements.pruneBans.run(nowMs);
    statements.pruneHolds.run(nowMs);
    statements.pruneGuards.run(nowMs - PRESENCE_GUARD_RETENTION_MS);
    statements.pruneRooms.run(nowMs - PRESENCE_GUARD_RETENTION_MS);
    statements.pruneWebhooks.run(nowMs - WEBHOOK_ID_RETENTION_MS);
    invites.pruneExpiredBefore(nowMs - EXPIRED_INVITE_RETENTION_MS);
    return removed;
  });

  return {
    kind: 'sqlite',

    addBan: (ban) =>
      run(() => {
        statements.addBan.run(ban);
      }),
    banById: (id) =>
      run(() => {
        const row = statements.banById.get(id);
        return row && banOf(row);
      }),
    listBans: (filter: BanFilter, nowMs) =>
      run(() =>
        statements.listBans
          .all({ room: filter.room ?? null, identity: filter.identity ?? null, nowMs })
          .map(banOf),
      ),
    removeBan: (id) =>
      run(() =>
        db.transaction(() => {
          const row = statements.banById.get(id);
          if (row === undefined) return undefined;
          statements.deleteBan.run(id);
          return banOf(row);
        })(),
      ),
    banFor: (identity, room, nowMs) =>
      run(() => {
        const row = statements.banFor.get({ identity, room, nowMs });
        return row && banOf(row);
      }),

    setRoomLimit: (room, maxParticipants) =>
      run(() => {
        if (maxParticipants === null) statements.clearRoomLimit.run(room);
        else statements.setRoomLimit.run(room, maxParticipants);
      }),
    roomLimit: (room) => run(() => statements.roomLimit.get(room)?.max_participants),

    // The ban and the cap are plain reads; only a seat takes the write lock.
    admit: (request) =>
      run((): Admittance => {
        const { room, identity, nowMs } = request;
        const ban = statements.banFor.get({ identity, room, nowMs });
        if (ban !== undefined) return { ban: banOf(ban) };
        const maxParticipants =
          statements.roomLimit.get(room)?.max_participants ?? request.defaultMaxParticipants;
        if (!needsSeat(request, maxParticipants)) return { maxParticipants, claim: undefined };
        const { holdMs, duplicateIdentity } = request;
        const claim = claimSeat.immediate({
          room,
          identity,
          maxParticipants,
          holdMs,
          duplicateIdentity,
          nowMs,
        });
        return { maxParticipants, claim };
      }),
    // IMMEDIATE: the write lock first, then the count, so no other writer slips between.
    claimSeat: (request) => run(() => claimSeat.immediate(request)),
    releaseSeat: (room, identity) =>
      run(() => {
        statements.release.run(room, identity);
      }),
    participantJoined: (room, identity, atMs) =>
      run(() => recordPresence.immediate(room, identity, 1, atMs)),
    participantLeft: (room, identity, atMs) =>
      run(() => recordPresence.immediate(room, identity, 0, atMs)),
    replaceParticipants: (room, identities, atMs) =>
      run(() => replaceParticipants.immediate(room, identities, atMs)),
    roomFinished: (room, atMs) =>
      run(() =>
        db
          .transaction(() => {
            statements.finish.run({ room, atMs });
            statements.forgetRoom.run(room);
          })
          .immediate(),
      ),
    occupancy: (room, nowMs) =>
      run((): RoomOccupancy => {
        const read = db.transaction(() => ({
          occupants: statements.occupants.all(room, nowMs),
          lastHeardMs: statements.lastHeard.get(room)?.last_heard_ms ?? null,
        }));
        const { occupants, lastHeardMs } = read();
        return {
          participants: occupants.filter((row) => row.present === 1).map((row) => row.identity),
          held: occupants.filter((row) => row.present !== 1).map((row) => row.identity),
          lastHeardMs,
        };
      }),

    markWebhookProcessed: (id, nowMs) =>
      run(() => statements.markWebhook.run({ id, nowMs }).changes === 1),

    ...invites.methods,

    appendAudit: (entry: AuditEntry) =>
      closed
        ? Promise.reject(new ModerationStoreUnavailableError('the moderation store is closed'))
        : auditBatch.add(entry),
    listAudit: (query: AuditQuery) =>
      run((): AuditPage => {
        if (query.after !== undefined && !AUDIT_ID_PATTERN.test(query.after)) {
          throw new RangeError('after is not an audit id of this store');
        }
        const rows = statements.listAudit.all({
          room: query.room,
          afterId: query.after === undefined ? 0 : Number(query.after),
          sinceMs: query.sinceMs ?? null,
          untilMs: query.untilMs ?? null,
          identity: query.identity ?? null,
          // One more than asked: whether there is a next page, without a second query.
          limit: query.limit + 1,
        });
        const entries = rows.slice(0, query.limit).map(auditEntryOf);
        const last = entries.at(-1);
        return rows.length > query.limit && last !== undefined
          ? { entries, next: last.id }
          : { entries };
      }),
    prune: (beforeMs, nowMs) => run(() => prune.immediate(beforeMs, nowMs)),

    close: async () => {
      if (closed) return;
      // What waits for the next turn is written now (the write itself is synchronous).
      const flushed = auditBatch.flush();
      closed = true;
      db.close();
      await flushed;
    },
  };
}
