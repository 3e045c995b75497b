// The moderation store of a configuration: Redis with REDIS_URL (shared by every instance),
// else the SQLite file in DATA_DIR. Each is loaded only when chosen: a server on one never
// loads the other's driver.
import type { Config } from '../config';
import type * as RedisClientModule from '../rate-limit/redis-client';
import type * as RedisStoreModule from './redis-store';
import type * as SqliteStoreModule from './sqlite-store';
import type { ModerationStore } from './store';

/**
 * How long one moderation call to Redis may take, in ms: four times REDIS_TIMEOUT_MS, and
 * at least a second. A rate limit falls back to memory after a miss; moderation would
 * refuse the token, so it waits longer before calling Redis away.
 */
export function moderationTimeoutMs(redisTimeoutMs: number): number {
  return Math.max(1_000, 4 * redisTimeoutMs);
}

/** Opens the store `config` names; throws a one-line Error when it cannot be used. */
export function openModerationStore(
  config: Pick<Config, 'redisUrl' | 'redisKeyPrefix' | 'redisTimeoutMs' | 'dataDir'>,
): ModerationStore {
  if (config.redisUrl !== undefined) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { createRedisClient } = require('../rate-limit/redis-client') as typeof RedisClientModule;
    const { createRedisModerationStore } = require('./redis-store') as typeof RedisStoreModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const client = createRedisClient(config.redisUrl, moderationTimeoutMs(config.redisTimeoutMs), {
      queueWhileConnecting: true,
    });
    // Told apart from a Redis outage by the calls that fail: ioredis must not print these.
    client.on('error', () => {});
    return createRedisModerationStore(client, config.redisKeyPrefix, { ownsClient: true });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openSqliteModerationStore } = require('./sqlite-store') as typeof SqliteStoreModule;
  return openSqliteModerationStore(config.dataDir);
}
