// Budgets in a Redis that every instance shares, so that a caller has one budget however
// many instances a load balancer spreads its requests over. Whenever Redis fails to answer
// in time, the request is counted in this instance's memory instead: never uncounted.
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { silentLogger, withoutCredentials, type Logger } from '../logger';
import { BoundedMemoryLimiter, MAX_TRACKED_CALLERS } from './memory-store';
import { DEFAULT_REDIS_FALLBACK_SHARE, DEFAULT_REDIS_TIMEOUT_MS } from '../config/redis';
import { createRedisClient, DISCONNECT_TIMEOUT_MS } from './redis-client';
import { REDIS_PROBE_INTERVAL_MS, RedisHealth } from './redis-health';
import type { BudgetLimiter, LimiterStore } from './types';

/** Longest close() waits for the connection to end: until ioredis destroys it, and some. */
const CLOSE_TIMEOUT_MS = DISCONNECT_TIMEOUT_MS + 500;

/** Options of the Redis store beyond the URL. */
export interface RedisStoreOptions {
  /** Where the outage and recovery lines go. */
  logger?: Logger;
  /** Prepended to every key: `lkts:` gives `lkts:token:ip:203.0.113.7`. */
  keyPrefix: string;
  /** Callers each budget's in-memory fallback tracks at most. */
  maxTrackedCallers?: number;
  /** Longest one Redis call may take, in milliseconds (DEFAULT_REDIS_TIMEOUT_MS). */
  timeoutMs?: number;
  /**
   * The share of each budget counted in memory for a request that Redis did not answer in
   * time: never a whole budget per instance (DEFAULT_REDIS_FALLBACK_SHARE).
   */
  fallbackShare?: number;
  /** While Redis does not answer, how often one request tries it, in milliseconds. */
  probeIntervalMs?: number;
}

/**
 * One budget counted in Redis, or in memory, for a share of the budget, when Redis does not
 * answer. The fallback is ours rather than the library's insuranceLimiter, which cannot tell
 * which store answered: the status, the once-only log lines and the probing need to know.
 */
class SharedBudget implements BudgetLimiter {
  constructor(
    private readonly shared: RateLimiterRedis,
    private readonly local: BoundedMemoryLimiter,
    private readonly health: RedisHealth,
  ) {}

  consume(key: string): Promise<RateLimiterRes> {
    if (!this.health.shouldTry()) return this.local.consume(key);
    return this.shared.consume(key).then(
      (spent) => {
        this.health.answered();
        return spent;
      },
      (refusal: unknown) => {
        if (refusal instanceof RateLimiterRes) {
          this.health.answered();
          return Promise.reject(refusal);
        }
        this.health.failed(refusal);
        return this.local.consume(key);
      },
    );
  }
}

/**
 * What an instance hands a caller on its own in one window while Redis does not answer: its
 * share of the budget, rounded up, so that even a budget of 1 lets one request through.
 */
export function fallbackPoints(perWindow: number, share: number): number {
  return Math.max(1, Math.ceil(perWindow * share));
}

/**
 * Keeps budgets in the Redis at `url`, and connects to it at once. `close()` disconnects;
 * until then the connection keeps the process alive, and reconnects whenever it drops.
 */
export function createRedisStore(url: string, options: RedisStoreOptions): LimiterStore {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  const fallbackShare = options.fallbackShare ?? DEFAULT_REDIS_FALLBACK_SHARE;
  const client = createRedisClient(url, timeoutMs);
  const health = new RedisHealth(
    client,
    withoutCredentials(url),
    options.logger ?? silentLogger,
    options.probeIntervalMs ?? REDIS_PROBE_INTERVAL_MS,
  );
  return {
    limiter: (budgetName, perWindow, windowSeconds) =>
      new SharedBudget(
        new RateLimiterRedis({
          storeClient: client,
          points: perWindow,
          duration: windowSeconds,
          keyPrefix: `${options.keyPrefix}${budgetName}`,
          // A connection that is not ready fails the call at once, rather than queues it.
          rejectIfRedisNotReady: true,
        }),
        new BoundedMemoryLimiter(
          fallbackPoints(perWindow, fallbackShare),
          windowSeconds,
          options.maxTrackedCallers ?? MAX_TRACKED_CALLERS,
        ),
        health,
      ),
    status: () => health.status(),
    close: () => {
      health.stop();
      // Between reconnection attempts there is no socket to close, and no `end` comes.
      const ended =
        client.status === 'end' || client.status === 'reconnecting'
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS).unref();
              client.once('end', () => {
                clearTimeout(timer);
                resolve();
              });
            });
      // No QUIT: each count has been answered or counted in memory, so nothing is owed.
      client.disconnect();
      return ended;
    },
  };
}
