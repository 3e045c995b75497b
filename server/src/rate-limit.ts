import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { callerOf } from './auth';
import { HttpError } from './errors';

/** The budget's window; tests shorten it to see the budget come back. */
export const DEFAULT_RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * Whose budget a request spends: the authenticated caller's, or the client IP's for
 * anonymous callers and failed authentications (IPv6 clients by their /56, as one host
 * usually owns a whole such block).
 */
function budgetKey(req: Request, res: Response): string {
  const caller = callerOf(res.locals);
  if (res.locals.authError === undefined) {
    if (caller.kind === 'api-key') return `api-key:${caller.keyId}`;
    if (caller.kind === 'jwt') return `jwt:${caller.identity}`;
  }
  return `ip:${ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown')}`;
}

/**
 * Limits one route to `perWindow` requests per caller and window, answering 429
 * RATE_LIMITED with the standard RateLimit and Retry-After headers. 0 turns it off.
 */
export function rateLimitPerCaller(
  route: string,
  perWindow: number,
  windowMs: number = DEFAULT_RATE_LIMIT_WINDOW_MS,
): RequestHandler {
  if (perWindow === 0) return (_req, _res, next) => next();
  const windowSeconds = windowMs / 1000;
  return rateLimit({
    windowMs,
    limit: perWindow,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: route,
    keyGenerator: budgetKey,
    // Its checks log to the console with stack traces; TRUST_PROXY is validated at start-up.
    validate: false,
    handler: (_req, _res, next) => {
      next(
        new HttpError(
          429,
          'RATE_LIMITED',
          `Too many requests to ${route}: at most ${perWindow} every ${windowSeconds} seconds per caller. Retry after the number of seconds in Retry-After.`,
        ),
      );
    },
  });
}
