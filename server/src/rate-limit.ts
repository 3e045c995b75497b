// Per-caller request budgets, in memory, with the IETF RateLimit headers and 429 answers.
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { callerLabel, callerOf } from './caller';
import { clientAddressOf } from './client-address';
import { HttpError } from './errors';

/** The budget's window; tests shorten it to see the budget come back. */
export const DEFAULT_RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * The most callers one budget tracks; past it, the caller whose window began longest ago
 * is forgotten. Bounds memory whatever the traffic: made-up forwarded addresses once grew
 * the heap to 2.5 GB. At about 150 bytes a caller, 100,000 callers take some 15 MB.
 */
export const MAX_TRACKED_CALLERS = 100_000;

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
  const clientIp = (res.locals.clientIp as string | undefined) ?? clientAddressOf(req);
  return `ip:${ipKeyGenerator(clientIp)}`;
}

/** One caller's spending in the current window. */
interface Window {
  /** Requests counted in this window, the current one included. */
  count: number;
  /** When the window ends, in milliseconds since the epoch. */
  resetAt: number;
}

/** A budget of requests, which one route or several spend. */
export interface Budget {
  /** The policy's name in the RateLimit headers. */
  name: string;
  /** What the budget is for, in the 429 message: `requests to /validate`. */
  spentOn: string;
}

/**
 * Limits requests to `perWindow` per caller and fixed window, in memory; mount the same
 * handler on several routes to have them share the budget. Every answer carries the IETF
 * `RateLimit` and `RateLimit-Policy` headers; a request over the budget gets 429
 * RATE_LIMITED with `Retry-After`. 0 turns the limit off.
 *
 * Written here rather than taken from express-rate-limit: its asynchronous store and
 * per-request option handling cost more than a whole token on the /token path.
 */
export function rateLimitPerCaller(
  budget: Budget,
  perWindow: number,
  windowMs: number = DEFAULT_RATE_LIMIT_WINDOW_MS,
  maxTrackedCallers: number = MAX_TRACKED_CALLERS,
): RequestHandler {
  if (perWindow === 0) return (_req, _res, next) => next();
  const windows = new Map<string, Window>();
  // Forget ended windows, so the map holds only callers seen in the last window.
  setInterval(() => {
    const now = Date.now();
    for (const [key, window] of windows) if (window.resetAt <= now) windows.delete(key);
  }, windowMs).unref();
  const windowSeconds = Math.ceil(windowMs / 1000);
  const policy = `"${budget.name}"; q=${perWindow}; w=${windowSeconds}`;

  return (req, res, next) => {
    const now = Date.now();
    const key = budgetKey(req, res);
    let window = windows.get(key);
    if (window === undefined || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      // Deleted first so that the map stays in the order windows began: oldest first.
      windows.delete(key);
      if (windows.size >= maxTrackedCallers) {
        const oldest = windows.keys().next().value;
        if (oldest !== undefined) windows.delete(oldest);
      }
      windows.set(key, window);
    }
    window.count += 1;
    const resetSeconds = Math.max(1, Math.ceil((window.resetAt - now) / 1000));
    const remaining = Math.max(0, perWindow - window.count);
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader('RateLimit', `"${budget.name}"; r=${remaining}; t=${resetSeconds}`);
    if (window.count <= perWindow) {
      next();
      return;
    }
    res.setHeader('Retry-After', String(resetSeconds));
    next(
      new HttpError(
        429,
        'RATE_LIMITED',
        `Too many ${budget.spentOn}: at most ${perWindow} every ${windowSeconds} seconds per caller. Retry after the number of seconds in Retry-After.`,
      ),
    );
  };
}
