// The budget of failed invite redemptions (and wrong lobby poll tokens) per client IP:
// INVITE_FAILURE_LIMIT_PER_MINUTE. Codes carry 72 random bits, so guessing is hopeless
// anyway; the budget makes it noisy too, and keeps a guesser from costing the store work.
// Failures are counted where budgets are (memory, or Redis across instances); once an IP is
// over, this instance refuses its redemptions before looking at the code at all, until the
// window ends. Another instance learns of it at that IP's next failure there: at worst one
// more guess per instance and window.
import { RateLimiterRes } from 'rate-limiter-flexible';
import { HttpError } from '../errors';
import type { LimiterStore } from '../rate-limit/types';

/** The budget's name in the limiter store and in rate_limited_total. */
export const INVITE_FAILURE_BUDGET = 'invite-failures';

/** IPs remembered as over budget at once; past this the oldest is forgotten (still counted). */
const MAX_BLOCKED_ADDRESSES = 10_000;

/** The failure budget of one app. */
export interface FailureBudget {
  /** Throws 429 RATE_LIMITED when `address` is over its budget of failures. */
  check(address: string): void;
  /** Counts one failure of `address`; throws 429 when that puts it over. */
  fail(address: string): Promise<void>;
}

/** The budget of `perMinute` failures per address (0: none), counted in `store`. */
export function createFailureBudget(
  store: LimiterStore,
  perMinute: number,
  countRefusal: (budget: string) => void,
  now: () => number = Date.now,
): FailureBudget {
  if (perMinute === 0) return { check: () => {}, fail: async () => {} };
  const limiter = store.limiter(INVITE_FAILURE_BUDGET, perMinute, 60);
  const blockedUntil = new Map<string, number>();
  const refusal = (retryAfterMs: number): HttpError => {
    countRefusal(INVITE_FAILURE_BUDGET);
    return new HttpError(
      'RATE_LIMITED',
      `Too many failed invite redemptions from your address: at most ${perMinute} a minute, as this server's INVITE_FAILURE_LIMIT_PER_MINUTE says. Check the code and retry in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} seconds.`,
    );
  };
  return {
    check: (address) => {
      const until = blockedUntil.get(address);
      if (until === undefined) return;
      if (until <= now()) {
        blockedUntil.delete(address);
        return;
      }
      throw refusal(until - now());
    },
    fail: async (address) => {
      try {
        await limiter.consume(address);
      } catch (overBudget) {
        if (!(overBudget instanceof RateLimiterRes)) throw overBudget;
        if (blockedUntil.size >= MAX_BLOCKED_ADDRESSES) {
          const oldest = blockedUntil.keys().next().value;
          if (oldest !== undefined) blockedUntil.delete(oldest);
        }
        blockedUntil.set(address, now() + overBudget.msBeforeNext);
        throw refusal(overBudget.msBeforeNext);
      }
    },
  };
}
