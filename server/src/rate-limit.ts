// Per-caller request budgets, with the IETF RateLimit headers and 429 answers. Where the
// budgets are counted (memory, or a Redis shared by every instance) is the store's job:
// see rate-limit/.
import type { Request, RequestHandler, Response } from 'express';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { callerLabel, callerOf } from './caller';
import { budgetAddressOf, clientAddressOf } from './client-address';
import { HttpError } from './errors';
import { createMemoryStore } from './rate-limit/memory-store';
import type { LimiterStore } from './rate-limit/types';

export { createLimiterStore, type LimiterStoreOptions } from './rate-limit/limiter-store';
export { createMemoryStore, MAX_TRACKED_CALLERS } from './rate-limit/memory-store';
export type { LimiterStatus, LimiterStore } from './rate-limit/types';
export { BUDGET_NAMES, BUDGETS, type BudgetName } from './rate-limit/budgets';

/** The budget's window; tests shorten it to see the budget come back. */
export const DEFAULT_RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * Whose budget a request spends: the authenticated caller's, or the client IP's for
 * anonymous callers and failed authentications (IPv6 clients by their /56, as one host
 * usually owns a whole such block).
 */
function budgetKey(req: Request, res: Response): string {
  const caller = callerOf(res.locals);
  if (res.locals.authError === undefined && caller.kind !== 'anonymous') {
    return callerLabel(caller);
  }
  return addressBudgetKey(req, res);
}

/** The budget key of a request's client address, whoever the caller: `ip:<address or /56>`. */
export function addressBudgetKey(req: Request, res: Response): string {
  return `ip:${budgetAddressOf(res.locals.clientIp ?? clientAddressOf(req))}`;
}

/** A budget of requests, which one route or several spend. */
export interface Budget {
  /** The policy's name in the RateLimit headers. */
  name: string;
  /** What the budget is for, in the 429 message: `requests to /validate`. */
  spentOn: string;
  /** The variable that sets the budget, named in the 429 so that operators know the knob. */
  setting: string;
}

/** Seconds until the caller's window ends, as the headers give it: at least 1. */
function secondsToReset(spending: RateLimiterRes): number {
  return Math.max(1, Math.ceil(spending.msBeforeNext / 1000));
}

/**
 * Limits requests to `perWindow` per caller and fixed window, counted in `store` (this
 * process's memory unless given); mount the same handler on several routes to have them
 * share the budget. Every answer carries the IETF `RateLimit` and `RateLimit-Policy`
 * headers; a request over the budget gets 429 RATE_LIMITED with `Retry-After`, counted by
 * `countRefusal` as it is refused. 0 turns the limit off. Windows are whole seconds:
 * `windowMs` is rounded up.
 */
export function rateLimitPerCaller(
  budget: Budget,
  perWindow: number,
  windowMs: number = DEFAULT_RATE_LIMIT_WINDOW_MS,
  store: LimiterStore = createMemoryStore(),
  countRefusal: (budgetName: string) => void = () => {},
): RequestHandler {
  if (perWindow === 0) return (_req, _res, next) => next();
  const windowSeconds = Math.max(1, Math.ceil(windowMs / 1000));
  const limiter = store.limiter(budget.name, perWindow, windowSeconds);
  const policy = `"${budget.name}"; q=${perWindow}; w=${windowSeconds}`;
  const refusal = `Too many ${budget.spentOn}: at most ${perWindow} every ${windowSeconds} seconds per caller, as this server's ${budget.setting} says (its operator may raise it, or set 0 for no limit). Retry after the number of seconds in Retry-After.`;

  return (req, res, next) => {
    limiter.consume(budgetKey(req, res)).then(
      (spending) => {
        res.setHeader('RateLimit-Policy', policy);
        res.setHeader(
          'RateLimit',
          `"${budget.name}"; r=${spending.remainingPoints}; t=${secondsToReset(spending)}`,
        );
        next();
      },
      (overBudget: unknown) => {
        // Stores never fail a request (they count in memory when Redis fails): a bug if not.
        if (!(overBudget instanceof RateLimiterRes)) {
          next(overBudget);
          return;
        }
        const resetSeconds = String(secondsToReset(overBudget));
        res.setHeader('RateLimit-Policy', policy);
        res.setHeader('RateLimit', `"${budget.name}"; r=0; t=${resetSeconds}`);
        res.setHeader('Retry-After', resetSeconds);
        countRefusal(budget.name);
        next(new HttpError('RATE_LIMITED', refusal));
      },
    );
  };
}
