// Chooses where an app keeps its budgets: in Redis when REDIS_URL is set; else in the
// primary's memory for node:cluster workers, or in this process's memory. The middleware
// only sees a LimiterStore.
import cluster from 'node:cluster';
import type { LimitsConfig } from '../config/limits';
import type { RedisConfig } from '../config/redis';
import type { RuntimeConfig } from '../config/runtime';
import type { Logger } from '../logger';
import { createClusterStore } from './cluster-store';
import { createMemoryStore } from './memory-store';
import type * as RedisStoreModule from './redis-store';
import type { LimiterStore } from './types';

/** Options of the limiter store beyond the configuration, for the entry point and tests. */
export interface LimiterStoreOptions {
  /** Where Redis outages and recoveries are logged. */
  logger?: Logger;
  /** While Redis does not answer, how often one request tries it, in milliseconds (1000). */
  redisProbeIntervalMs?: number;
}

/** The store the configuration asks for; with REDIS_URL, it starts connecting at once. */
export function createLimiterStore(
  config: RedisConfig & Pick<LimitsConfig, 'rateLimitMaxCallers'> & Pick<RuntimeConfig, 'workers'>,
  options: LimiterStoreOptions = {},
): LimiterStore {
  const maxTrackedCallers = config.rateLimitMaxCallers;
  if (config.redisUrl === undefined) {
    return cluster.isWorker
      ? createClusterStore(config.workers, maxTrackedCallers)
      : createMemoryStore(maxTrackedCallers);
  }
  // Loaded here, not at the top: ioredis costs some 50 ms of start-up without REDIS_URL.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createRedisStore } = require('./redis-store') as typeof RedisStoreModule;
  return createRedisStore(config.redisUrl, {
    keyPrefix: config.redisKeyPrefix,
    maxTrackedCallers,
    logger: options.logger,
    timeoutMs: config.redisTimeoutMs,
    fallbackShare: config.redisFallbackShare,
    probeIntervalMs: options.redisProbeIntervalMs,
  });
}
