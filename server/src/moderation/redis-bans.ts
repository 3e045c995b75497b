// Bans in Redis, beside the rest of the store in redis-store.ts and under the same prefix
// (REDIS_KEY_PREFIX + "mod:"). A ban is written and lifted in one MULTI, so that its keys
// never disagree; the ADMIT script (redis-scripts.ts) reads an identity's bans in one step.
//
// Keys, after the prefix:
//   ban:<id>               string: the ban's JSON
//   bans:of:<identity>     hash: the identity's bans, id -> ban JSON (what ADMIT reads)
//   bans:all               sorted set: every ban id by creation time, for GET /bans
//   bans:in:<room>         sorted set: the ids of the room's own bans, the same, for
//                          GET /bans?room= (a host's page), which read every ban before
//   bans:expiring          sorted set: the ids of bans that expire, by expiry, for prune
import type Redis from 'ioredis';
import { compareBans, isAfter, pageOf } from './ban-order';
import type { Ban, BanCursor, ModerationStore } from './store';

/** Bans read or pruned per round. */
const BAN_BATCH = 500;

/** The hash of an identity's bans (id -> ban JSON), under the store's `modPrefix`. */
export function bansOfKey(modPrefix: string, identity: string): string {
  return `${modPrefix}bans:of:${identity}`;
}

/** The ban methods of the store, and what its prune does for bans. */
export interface RedisBans {
  methods: Pick<ModerationStore, 'addBan' | 'banById' | 'listBans' | 'removeBan' | 'banFor'>;
  /** Forgets the bans expired at `nowMs`: those alone, a page at a time. */
  pruneExpired(nowMs: number): Promise<void>;
}

const inForce = (ban: Ban, nowMs: number) => ban.expiresAtMs === null || ban.expiresAtMs > nowMs;

/** Bans over `redis`, under `modPrefix`; `run` turns Redis failures into the store's. */
export function redisBans(
  redis: Redis,
  modPrefix: string,
  run: <T>(work: () => Promise<T>) => Promise<T>,
): RedisBans {
  const key = {
    ban: (id: string) => `${modPrefix}ban:${id}`,
    bansOf: (identity: string) => bansOfKey(modPrefix, identity),
    allBans: `${modPrefix}bans:all`,
    bansIn: (room: string) => `${modPrefix}bans:in:${room}`,
    expiringBans: `${modPrefix}bans:expiring`,
  };
  /**
   * The bans of `ids` still stored, a page of ids a call: one MGET of every ban (100,000 in
   * the bench) held Redis, and every instance's token requests, up for a fifth of a second.
   */
  const bansByIds = async (ids: string[]): Promise<Ban[]> => {
    const bans: Ban[] = [];
    for (let start = 0; start < ids.length; start += BAN_BATCH) {
      const texts = await redis.mget(ids.slice(start, start + BAN_BATCH).map(key.ban));
      for (const text of texts) if (text !== null) bans.push(JSON.parse(text) as Ban);
    }
    return bans;
  };
  /**
   * About `count` ban ids of `sortedSet` listed after `cursor`, in order, with their
   * creation times; `last` when no more follow. Bans created in the cursor's own
   * millisecond are read apart (few; all of them), so that a batch cut inside one
   * millisecond resumes where it stopped.
   */
  const idsAfter = async (
    sortedSet: string,
    cursor: BanCursor | undefined,
    count: number,
  ): Promise<{ ids: BanCursor[]; last: boolean }> => {
    const withTimes = (reply: string[]): BanCursor[] => {
      const ids: BanCursor[] = [];
      for (let index = 0; index + 1 < reply.length; index += 2) {
        ids.push({ id: reply[index] ?? '', createdAtMs: Number(reply[index + 1]) });
      }
      return ids;
    };
    const later = withTimes(
      await redis.zrangebyscore(
        sortedSet,
        cursor === undefined ? '-inf' : `(${cursor.createdAtMs}`,
        '+inf',
        'WITHSCORES',
        'LIMIT',
        0,
        count,
      ),
    );
    const last = later.length < count;
    if (cursor === undefined) return { ids: later, last };
    const sameMs = withTimes(
      await redis.zrangebyscore(sortedSet, cursor.createdAtMs, cursor.createdAtMs, 'WITHSCORES'),
    ).filter((id) => compareBans(id, cursor) > 0);
    return { ids: [...sameMs, ...later], last };
  };
  const bansOf = async (identity: string): Promise<Ban[]> =>
    (await redis.hvals(key.bansOf(identity))).map((text) => JSON.parse(text) as Ban);

  return {
    methods: {
      addBan: (ban) =>
        run(async () => {
          const added = redis
            .multi()
            .set(key.ban(ban.id), JSON.stringify(ban))
            .hset(key.bansOf(ban.identity), ban.id, JSON.stringify(ban))
            .zadd(key.allBans, ban.createdAtMs, ban.id);
          if (ban.room !== null) added.zadd(key.bansIn(ban.room), ban.createdAtMs, ban.id);
          if (ban.expiresAtMs !== null) added.zadd(key.expiringBans, ban.expiresAtMs, ban.id);
          await added.exec();
        }),
      banById: (id) =>
        run(async () => {
          const text = await redis.get(key.ban(id));
          return text === null ? undefined : (JSON.parse(text) as Ban);
        }),
      listBans: (query, nowMs) =>
        run(async () => {
          const matches = (ban: Ban) =>
            inForce(ban, nowMs) && (query.room === undefined || ban.room === query.room);
          if (query.identity !== undefined) {
            const bans = (await bansOf(query.identity))
              .filter((ban) => matches(ban) && isAfter(ban, query.after))
              .sort(compareBans);
            return pageOf(bans, query.limit);
          }
          // Every identity's (the room's, or all): read in order from the cursor, a batch of
          // ids at a time, until the page and one more are found or no ban is left.
          const ids = query.room === undefined ? key.allBans : key.bansIn(query.room);
          const found: Ban[] = [];
          let cursor = query.after;
          for (;;) {
            // No more than the page still needs: the sets hold only ids that match, but for
            // the expired (the prune forgets them within the hour).
            const wanted = Math.min(BAN_BATCH, query.limit + 1 - found.length);
            const batch = await idsAfter(ids, cursor, wanted);
            for (const ban of await bansByIds(batch.ids.map(({ id }) => id))) {
              if (matches(ban)) found.push(ban);
            }
            cursor = batch.ids.at(-1) ?? cursor;
            if (found.length > query.limit || batch.last) return pageOf(found, query.limit);
          }
        }),
      removeBan: (id) =>
        run(async () => {
          const text = await redis.get(key.ban(id));
          if (text === null) return undefined;
          const ban = JSON.parse(text) as Ban;
          const lifted = redis
            .multi()
            .del(key.ban(id))
            .hdel(key.bansOf(ban.identity), id)
            .zrem(key.allBans, id)
            .zrem(key.expiringBans, id);
          if (ban.room !== null) lifted.zrem(key.bansIn(ban.room), id);
          const [[, deleted] = [null, 0]] = (await lifted.exec()) ?? [];
          // Lifted meanwhile by another instance: not this call's to report.
          return deleted === 1 ? ban : undefined;
        }),
      banFor: (identity, room, nowMs) =>
        run(async () => {
          return (await bansOf(identity))
            .filter((ban) => inForce(ban, nowMs) && (ban.room === null || ban.room === room))
            .sort(compareBans)[0];
        }),
    },
    pruneExpired: async (nowMs) => {
      // The expired only: reading every ban (100,000 in the bench) to find them blocked
      // Redis for a fifth of a second and left this process slower for minutes after.
      for (;;) {
        const ids = await redis.zrangebyscore(
          key.expiringBans,
          '-inf',
          nowMs,
          'LIMIT',
          0,
          BAN_BATCH,
        );
        if (ids.length === 0) return;
        const expired = redis.multi();
        for (const ban of await bansByIds(ids)) {
          expired.hdel(key.bansOf(ban.identity), ban.id);
          if (ban.room !== null) expired.zrem(key.bansIn(ban.room), ban.id);
        }
        await expired
          .del(...ids.map(key.ban))
          .zrem(key.allBans, ...ids)
          .zrem(key.expiringBans, ...ids)
          .exec();
        if (ids.length < BAN_BATCH) return;
      }
    },
  };
}
