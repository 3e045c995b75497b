// Bans in Redis, beside the rest of the store in redis-store.ts and under the same prefix
// (REDIS_KEY_PREFIX + "mod:"). A ban is written and lifted in one MULTI, so that its keys
// never disagree; the ADMIT script (redis-scripts.ts) reads an identity's bans in one step.
//
// Keys, after the prefix:
//   ban:<id>               string: the ban's JSON
//   bans:of:<identity>     hash: the identity's bans, id -> ban JSON (what ADMIT reads)
//   bans:all               sorted set: every ban id by creation time, for GET /bans
//   bans:expiring          sorted set: the ids of bans that expire, by expiry, for prune
import type Redis from 'ioredis';
import type { Ban, ModerationStore } from './store';

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
const byAge = (a: Ban, b: Ban) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id);

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
          if (ban.expiresAtMs !== null) added.zadd(key.expiringBans, ban.expiresAtMs, ban.id);
          await added.exec();
        }),
      banById: (id) =>
        run(async () => {
          const text = await redis.get(key.ban(id));
          return text === null ? undefined : (JSON.parse(text) as Ban);
        }),
      listBans: (filter, nowMs) =>
        run(async () => {
          const bans =
            filter.identity === undefined
              ? await bansByIds(await redis.zrange(key.allBans, 0, -1))
              : await bansOf(filter.identity);
          return bans
            .filter((ban) => inForce(ban, nowMs))
            .filter((ban) => filter.room === undefined || ban.room === filter.room)
            .filter((ban) => filter.identity === undefined || ban.identity === filter.identity)
            .sort(byAge);
        }),
      removeBan: (id) =>
        run(async () => {
          const text = await redis.get(key.ban(id));
          if (text === null) return undefined;
          const ban = JSON.parse(text) as Ban;
          const [[, deleted] = [null, 0]] =
            (await redis
              .multi()
              .del(key.ban(id))
              .hdel(key.bansOf(ban.identity), id)
              .zrem(key.allBans, id)
              .zrem(key.expiringBans, id)
              .exec()) ?? [];
          // Lifted meanwhile by another instance: not this call's to report.
          return deleted === 1 ? ban : undefined;
        }),
      banFor: (identity, room, nowMs) =>
        run(async () => {
          return (await bansOf(identity))
            .filter((ban) => inForce(ban, nowMs) && (ban.room === null || ban.room === room))
            .sort(byAge)[0];
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
        for (const ban of await bansByIds(ids)) expired.hdel(key.bansOf(ban.identity), ban.id);
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
