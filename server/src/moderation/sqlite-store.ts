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
  type BanQuery,
  type ModerationStore,
  type RoomOccupancy,
  type SeatClaim,
  type SeatRequest,
  type StoredAuditEntry,
} from './store';
import { parseDetails } from './audit-details';
import { pageOf } from './ban-order';
import { turnBatch, turnQueue } from './turn-batch';
import {
  EXPIRED_INVITE_RETENTION_MS,
  PRESENCE_GUARD_RETENTION_MS,
  WEBHOOK_ID_RETENTION_MS,
} from './retention';
import { sqliteInvites } from './sqlite-invites';
import { DEFAULT_BUSY_TIMEOUT_MS, isUnavailable, openDatabase, reasonOf } from './sqlite-file';
import { prepareStatements, type AuditRow, type BanRow } from './sqlite-statements';

/** Options beyond DATA_DIR, for tests. */
export interface SqliteStoreOptions {
  /** How long a write waits for the write lock (DEFAULT_BUSY_TIMEOUT_MS). */
  busyTimeoutMs?: number;
}

/** Audit ids: the row id, zero-padded so that ids sort as strings as they do as numbers. */
const AUDIT_ID_DIGITS = 16;
const AUDIT_ID_PATTERN = /^\d{16}$/;

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
   * commit costs some 90 µs, an insert a few, and every token issued appends one (in the
   * seat claims' transaction when it takes a seat, below).
   */
  const auditBatch = turnBatch<AuditEntry>((entries) =>
    run(() =>
      db.transaction(() => {
        for (const entry of entries) appendAuditRow(entry);
      })(),
    ),
  );

  const statements = prepareStatements(db);
  const appendAuditRow = (entry: AuditEntry): void => {
    statements.appendAudit.run({ ...entry, details: JSON.stringify(entry.details) });
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

  /** Takes or renews a seat; run inside an IMMEDIATE transaction, the write lock held. */
  const claimSeatLocked = (request: SeatRequest): SeatClaim => {
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
  };
  const claimSeat = db.transaction(claimSeatLocked);

  /**
   * Seats for tokens are claimed a turn of the event loop at a time, in one IMMEDIATE
   * transaction: each claim counts with the write lock held, the turn's earlier claims
   * included, so no seat is taken twice; but a turn's claims share one commit, which cost
   * each token some 30 µs of CPU under load when every claim had its own. A granted seat's
   * token is recorded in the same transaction.
   */
  const seatClaims = turnQueue<{ seat: SeatRequest; entry: AuditEntry | undefined }, SeatClaim>(
    (claims) =>
      run(() =>
        db
          .transaction(() =>
            claims.map(({ seat, entry }) => {
              const claim = claimSeatLocked(seat);
              if (claim.outcome === 'granted' && entry !== undefined) appendAuditRow(entry);
              return claim;
            }),
          )
          .immediate(),
      ),
  );

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
    listBans: (query: BanQuery, nowMs) =>
      run(() => {
        const page = {
          nowMs,
          // Before every ban: creation times are not negative.
          afterMs: query.after?.createdAtMs ?? -1,
          afterId: query.after?.id ?? '',
          // One more than asked: whether there is a next page, without a second query.
          limit: query.limit + 1,
        };
        const rows =
          query.identity !== undefined
            ? statements.listIdentityBans.all({
                ...page,
                identity: query.identity,
                room: query.room ?? null,
              })
            : query.room !== undefined
              ? statements.listRoomBans.all({ ...page, room: query.room })
              : statements.listBans.all(page);
        return pageOf(rows.map(banOf), query.limit);
      }),
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

    // The ban and the cap are plain reads; only a seat takes the write lock, a turn at a time.
    admit: async (request): Promise<Admittance> => {
      const { room, identity, nowMs } = request;
      const read = await run(() => {
        const ban = statements.banFor.get({ identity, room, nowMs });
        if (ban !== undefined) return { ban: banOf(ban) };
        const maxParticipants =
          statements.roomLimit.get(room)?.max_participants ?? request.defaultMaxParticipants;
        return { maxParticipants };
      });
      if (read.ban !== undefined) return read;
      const { maxParticipants } = read;
      const { holdMs, duplicateIdentity, entry } = request;
      if (!needsSeat(request, maxParticipants)) {
        if (entry !== undefined) await auditBatch.add(entry);
        return { maxParticipants, claim: undefined };
      }
      const claim = await seatClaims.add({
        seat: { room, identity, maxParticipants, holdMs, duplicateIdentity, nowMs },
        entry,
      });
      return { maxParticipants, claim };
    },
    // IMMEDIATE: the write lock first, then the count, so no other writer slips between.
    claimSeat: (request) => run(() => claimSeat.immediate(request)),
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
      const flushed = Promise.all([seatClaims.flush(), auditBatch.flush()]);
      closed = true;
      db.close();
      await flushed;
    },
  };
}
