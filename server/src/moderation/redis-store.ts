// The moderation store in Redis (REDIS_URL): shared by every instance and worker. A seat
// and a presence event are each one Lua script, so instances racing for the last seat
// never both get it, and an out-of-order webhook never undoes a newer one. Keys live under
// REDIS_KEY_PREFIX + "mod:". Every failure (Redis down, slow past the timeout) rejects with
// ModerationStoreUnavailableError: moderation refuses rather than guesses. Invites and the
// lobby, with their keys, are in redis-invites.ts, and bans in redis-bans.ts, spread in below.
import type Redis from 'ioredis';
import {
  ModerationStoreUnavailableError,
  type AdmitRequest,
  type Admittance,
  type AuditEntry,
  type AuditPage,
  type Ban,
  type ModerationStore,
  type SeatClaim,
  type StoredAuditEntry,
} from './store';
import { turnBatch, turnQueue, type TurnBatch } from './turn-batch';
import { ADMIT, APPEND_AUDIT, CLAIM_SEAT, PRESENCE_EVENT, REPLACE_PRESENCE } from './redis-scripts';
import { bansOfKey, redisBans } from './redis-bans';
import { redisInvites } from './redis-invites';
import { EXPIRED_INVITE_RETENTION_MS, WEBHOOK_ID_RETENTION_MS } from './retention';

/** Audit entries read from Redis per round, while a page fills up or a prune runs. */
const AUDIT_SCAN_BATCH = 500;
/** At most this many audit entries go in one APPEND_AUDIT call. */
const AUDIT_APPEND_BATCH = 500;
/** At most this many tokens are admitted by one ADMIT call (a few ms of Redis at most). */
const ADMIT_BATCH = 200;

/** What ADMIT answered for one token. */
type AdmitAnswer = [string, string | number, number?];

/** A token's admittance, from its ADMIT answer. */
function admittanceOf(answer: AdmitAnswer): Admittance {
  if (answer[0] === 'banned') return { ban: JSON.parse(String(answer[1])) as Ban };
  const cap = Number(answer[1]);
  const maxParticipants = cap < 0 ? undefined : cap;
  if (answer[0] === 'none') return { maxParticipants, claim: undefined };
  const claim = (
    answer[0] === 'identity-in-use'
      ? { outcome: answer[0] }
      : { outcome: answer[0], seats: Number(answer[2]) }
  ) as SeatClaim;
  return { maxParticipants, claim };
}

/** An audit entry as APPEND_AUDIT stored it. */
function storedAuditOf(member: string): StoredAuditEntry {
  const bar = member.indexOf('|');
  return { ...(JSON.parse(member.slice(bar + 1)) as AuditEntry), id: member.slice(0, bar) };
}

type ModerationRedis = Redis & {
  admit(...args: Array<string | number>): Promise<AdmitAnswer[]>;
  appendAudit(...args: Array<string | number>): Promise<number>;
  claimSeat(...args: Array<string | number>): Promise<[string, number]>;
  presenceEvent(...args: Array<string | number>): Promise<number>;
  replacePresence(...args: Array<string | number>): Promise<number>;
};

/** Options of the Redis store. */
export interface RedisStoreOptions {
  /** Close (disconnect) the client with the store: it was made for the store alone. */
  ownsClient?: boolean;
}

/** The Redis store, and whether that Redis keeps its data over a restart. */
export interface RedisModerationStore extends ModerationStore {
  /**
   * A warning when Redis persists nothing (neither AOF nor RDB snapshots): bans would not
   * survive its restart. Undefined when it persists, or when CONFIG is refused (managed
   * Redis usually persists, and hides CONFIG).
   */
  persistenceWarning(): Promise<string | undefined>;
}

/** The store over `client`, under `keyPrefix` + "mod:". */
export function createRedisModerationStore(
  client: Redis,
  keyPrefix: string,
  options: RedisStoreOptions = {},
): RedisModerationStore {
  const redis = client as ModerationRedis;
  redis.defineCommand('admit', { lua: ADMIT });
  redis.defineCommand('claimSeat', { numberOfKeys: 3, lua: CLAIM_SEAT });
  redis.defineCommand('appendAudit', { lua: APPEND_AUDIT });
  redis.defineCommand('presenceEvent', { numberOfKeys: 4, lua: PRESENCE_EVENT });
  redis.defineCommand('replacePresence', { numberOfKeys: 4, lua: REPLACE_PRESENCE });
  const p = `${keyPrefix}mod:`;
  const key = {
    bansOf: (identity: string) => bansOfKey(p, identity),
    limit: (room: string) => `${p}limit:${room}`,
    presence: (room: string) => `${p}presence:${room}`,
    holds: (room: string) => `${p}holds:${room}`,
    heard: (room: string) => `${p}heard:${room}`,
    finished: (room: string) => `${p}finished:${room}`,
    // Keys of no room under `meta:`: no room's name can make a room's key one of these.
    heldRooms: `${p}meta:held-rooms`,
    webhooks: `${p}webhooks`,
    audit: (room: string | null) => (room === null ? `${p}audit-everywhere` : `${p}audit:${room}`),
    auditSeq: `${p}meta:audit-seq`,
    auditRooms: `${p}meta:audit-rooms`,
  };
  let closed = false;
  const closedError = () => new ModerationStoreUnavailableError('the moderation store is closed');

  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    if (closed) throw closedError();
    try {
      return await work();
    } catch (error) {
      if (error instanceof ModerationStoreUnavailableError) throw error;
      throw new ModerationStoreUnavailableError(
        `Redis (REDIS_URL) failed: ${error instanceof Error ? error.message : 'error'}`,
        { cause: error },
      );
    }
  };

  /** Queues `item` in `batch`, unless the store is closed (its write then runs in `run`). */
  const queued = <T, R>(batch: TurnBatch<T, R>, item: T): Promise<R> =>
    closed ? Promise.reject(closedError()) : batch.add(item);

  const invites = redisInvites(client, p, run);
  const bans = redisBans(client, p, run);

  /** A join ("1") or a leave ("0"), applied unless something newer was (PRESENCE_EVENT). */
  const presenceEvent = (room: string, identity: string, state: '1' | '0', atMs: number) =>
    run(async () => {
      await redis.presenceEvent(
        key.presence(room),
        key.holds(room),
        key.heard(room),
        key.finished(room),
        identity,
        state,
        atMs,
      );
    });

  /**
   * Audit entries are appended a turn of the event loop at a time, by one APPEND_AUDIT
   * call: one call for a turn's entries costs both processes less than a call each. (A
   * token's entry goes in its ADMIT call instead.)
   */
  const auditBatch = turnBatch<AuditEntry>(
    (entries) =>
      run(() =>
        redis.appendAudit(
          2 + entries.length,
          key.auditSeq,
          key.auditRooms,
          ...entries.map((entry) => key.audit(entry.room)),
          ...entries.flatMap((entry) => [JSON.stringify(entry), entry.room ?? '']),
        ),
      ),
    AUDIT_APPEND_BATCH,
  );

  /**
   * Tokens are admitted a turn of the event loop at a time, by one ADMIT call: one script
   * call for a turn's tokens costs our process and redis-server less than a call each
   * (bench/README.md). The script admits them in order, each as if alone, so no seat is
   * taken twice.
   */
  const admissions = turnQueue<AdmitRequest, Admittance>(
    (requests) =>
      run(async () => {
        const answers = await redis.admit(
          3 + requests.length * 5,
          key.heldRooms,
          key.auditSeq,
          key.auditRooms,
          ...requests.flatMap((request) => [
            key.bansOf(request.identity),
            key.limit(request.room),
            key.presence(request.room),
            key.holds(request.room),
            key.audit(request.entry === undefined ? request.room : request.entry.room),
          ]),
          ...requests.flatMap((request) => [
            request.identity,
            request.room,
            request.defaultMaxParticipants ?? -1,
            request.takesSeat ? '1' : '0',
            request.holdMs,
            request.duplicateIdentity === 'refuse' ? '1' : '0',
            request.nowMs,
            request.entry === undefined ? '' : JSON.stringify(request.entry),
            request.entry?.room ?? '',
          ]),
        );
        return answers.map(admittanceOf);
      }),
    ADMIT_BATCH,
  );

  const store: RedisModerationStore = {
    kind: 'redis',
    ...bans.methods,
    setRoomLimit: (room, maxParticipants) =>
      run(async () => {
        if (maxParticipants === null) await redis.del(key.limit(room));
        else await redis.set(key.limit(room), String(maxParticipants));
      }),
    roomLimit: (room) =>
      run(async () => {
        const text = await redis.get(key.limit(room));
        return text === null ? undefined : Number(text);
      }),
    admit: (request) => queued(admissions, request),
    claimSeat: (request) =>
      run(async () => {
        const [outcome, seats] = await redis.claimSeat(
          key.presence(request.room),
          key.holds(request.room),
          key.heldRooms,
          request.identity,
          request.maxParticipants ?? -1,
          request.holdMs,
          request.duplicateIdentity === 'refuse' ? '1' : '0',
          request.nowMs,
          request.room,
        );
        if (outcome === 'identity-in-use') return { outcome };
        return { outcome, seats: Number(seats) } as SeatClaim;
      }),
    participantJoined: (room, identity, atMs) => presenceEvent(room, identity, '1', atMs),
    participantLeft: (room, identity, atMs) => presenceEvent(room, identity, '0', atMs),
    replaceParticipants: (room, identities, atMs) =>
      run(async () => {
        await redis.replacePresence(
          key.presence(room),
          key.holds(room),
          key.heard(room),
          key.finished(room),
          atMs,
          ...identities,
        );
      }),
    roomFinished: (room, atMs) =>
      run(async () => {
        await redis
          .multi()
          .del(key.presence(room), key.holds(room))
          .set(key.heard(room), atMs)
          // Events of the session that finished, delivered late, must not bring it back.
          .set(key.finished(room), atMs)
          .exec();
      }),
    occupancy: (room, nowMs) =>
      run(async () => {
        const [presence, holds, heard] = await Promise.all([
          redis.hgetall(key.presence(room)),
          redis.zrangebyscore(key.holds(room), `(${nowMs}`, '+inf'),
          redis.get(key.heard(room)),
        ]);
        const participants = Object.entries(presence)
          .filter(([, state]) => state.startsWith('1'))
          .map(([identity]) => identity)
          .sort();
        const present = new Set(participants);
        return {
          participants,
          held: holds.filter((identity) => !present.has(identity)).sort(),
          lastHeardMs: heard === null ? null : Number(heard),
        };
      }),
    markWebhookProcessed: (id, nowMs) =>
      run(async () => {
        // A sorted set by time, NX: the first mark adds it; prune forgets the old ones.
        return (await redis.zadd(key.webhooks, 'NX', nowMs, id)) === 1;
      }),
    ...invites.methods,
    appendAudit: (entry: AuditEntry) => queued(auditBatch, entry),
    listAudit: (query): Promise<AuditPage> =>
      run(async () => {
        const entries: StoredAuditEntry[] = [];
        let from =
          query.after === undefined
            ? 0
            : /^\d{1,15}$/.test(query.after)
              ? Number(query.after)
              : Infinity;
        let more = false;
        while (Number.isFinite(from)) {
          const batch = await redis.zrangebyscore(
            key.audit(query.room),
            `(${from}`,
            '+inf',
            'LIMIT',
            0,
            AUDIT_SCAN_BATCH,
          );
          for (const text of batch) {
            const entry = storedAuditOf(text);
            from = Number(entry.id);
            if (query.sinceMs !== undefined && entry.atMs < query.sinceMs) continue;
            if (query.untilMs !== undefined && entry.atMs >= query.untilMs) continue;
            if (query.identity !== undefined && entry.identity !== query.identity) continue;
            if (entries.length === query.limit) {
              more = true;
              break;
            }
            entries.push(entry);
          }
          if (more || batch.length < AUDIT_SCAN_BATCH) break;
        }
        const last = entries.at(-1);
        return more && last !== undefined ? { entries, next: last.id } : { entries };
      }),
    prune: (beforeMs, nowMs) =>
      run(async () => {
        let removed = 0;
        const rooms = await redis.smembers(key.auditRooms);
        for (const room of rooms) {
          const auditKey = key.audit(room === '' ? null : room);
          // Oldest first: entries were appended in time order, so stop at the first kept one.
          for (;;) {
            const oldest = await redis.zrange(auditKey, 0, AUDIT_SCAN_BATCH - 1);
            const expired = oldest.filter((text) => storedAuditOf(text).atMs < beforeMs);
            if (expired.length > 0) removed += await redis.zrem(auditKey, ...expired);
            if (expired.length < oldest.length || oldest.length < AUDIT_SCAN_BATCH) break;
          }
        }
        await bans.pruneExpired(nowMs);
        for (const room of await redis.smembers(key.heldRooms)) {
          await redis.zremrangebyscore(key.holds(room), '-inf', nowMs);
          if ((await redis.zcard(key.holds(room))) === 0) await redis.srem(key.heldRooms, room);
        }
        await redis.zremrangebyscore(key.webhooks, '-inf', nowMs - WEBHOOK_ID_RETENTION_MS);
        await invites.pruneExpiredBefore(nowMs - EXPIRED_INVITE_RETENTION_MS);
        return removed;
      }),
    persistenceWarning: async () => {
      try {
        const [, aof] = (await redis.config('GET', 'appendonly')) as [string, string];
        const [, save] = (await redis.config('GET', 'save')) as [string, string];
        if (aof === 'yes' || (save ?? '').trim() !== '') return undefined;
        return 'Redis (REDIS_URL) persists nothing (appendonly no, no save points): bans and room caps are lost when it restarts; set appendonly yes';
      } catch {
        return undefined;
      }
    },
    close: async () => {
      if (closed) return;
      // What waits for the next turn is sent now, and lands before a disconnect.
      const flushed = Promise.all([admissions.flush(), auditBatch.flush()]);
      closed = true;
      await flushed;
      if (options.ownsClient) redis.disconnect();
    },
  };
  return store;
}
