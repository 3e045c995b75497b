// What the rate-limit middleware needs from wherever budgets are kept (memory, Redis, and
// later a cluster primary), and what the rest of the server may ask about it.
import type { RateLimiterRes } from 'rate-limiter-flexible';

/**
 * One budget's counter: spends one request of a caller's budget. Follows the contract of
 * rate-limiter-flexible's limiters (RateLimiterMemory, RateLimiterRedis, RateLimiterCluster),
 * so that any of them fits: resolves within the budget, rejects with a RateLimiterRes past
 * it. It never rejects with anything else: a store that fails answers from memory instead.
 */
export interface BudgetLimiter {
  consume(key: string): Promise<RateLimiterRes>;
}

/** Where budgets are kept, right now, and how the shared store has been doing. */
export interface LimiterStatus {
  /** Where requests are counted now: Redis, or this instance's memory. */
  store: 'redis' | 'memory';
  /** True when REDIS_URL is set. */
  redisConfigured: boolean;
  /** True while Redis answers in time; false without REDIS_URL. */
  redisReachable: boolean;
  /** Redis calls that failed or timed out, and failed connections, since start-up. */
  redisErrors: number;
}

/** Keeps the budgets of one app: one limiter per budget, all in the same place. */
export interface LimiterStore {
  /** A limiter of `perWindow` requests per caller and window of `windowSeconds`. */
  limiter(budgetName: string, perWindow: number, windowSeconds: number): BudgetLimiter;
  status(): LimiterStatus;
  /** Releases connections and timers; the limiters answer from memory afterwards. */
  close(): Promise<void>;
}
