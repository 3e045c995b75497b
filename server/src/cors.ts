// CORS: which web pages may call the token routes from a browser, with the `cors` package,
// and a log line when a browser origin is refused.
import cors from 'cors';
import type { RequestHandler } from 'express';
import type { CorsOrigins } from './config';
import { silentLogger, type Logger } from './logger';

/** Least time between two log lines about the same refused origin, in milliseconds. */
export const REFUSED_ORIGIN_LOG_INTERVAL_MS = 60_000;

/** How many refused origins are remembered for that; past it the oldest is forgotten. */
export const MAX_REMEMBERED_REFUSED_ORIGINS = 1000;

/** Longest Origin header logged, in characters: a real origin is far shorter. */
const MAX_LOGGED_ORIGIN_LENGTH = 300;

/** An http origin on loopback, with or without a port: the development default. */
const LOOPBACK_ORIGIN = /^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/;

/**
 * An allowlist that matches nothing. Answering `false` instead would skip the `cors`
 * package altogether: no 204 for preflights, no `Vary: Origin`.
 */
const NO_ORIGIN: string[] = [];

/** Options of corsFor beyond the origins. */
export interface CorsOptions {
  /** Where refused origins are logged (warn level); silent by default. */
  logger?: Logger;
  /** The clock, in milliseconds since the epoch; tests set it. */
  now?: () => number;
  /** How many refused origins are remembered; tests lower it. */
  maxRememberedOrigins?: number;
}

function allowsOrigin(origins: Exclude<CorsOrigins, '*'>): (origin: string) => boolean {
  if (origins === 'loopback') return (origin) => LOOPBACK_ORIGIN.test(origin);
  const allowed = new Set(origins);
  return (origin) => allowed.has(origin);
}

/**
 * Logs a refused origin at most once per REFUSED_ORIGIN_LOG_INTERVAL_MS: a page calling in
 * a loop must not flood the log. Memory stays bounded: a Map in order of last logging,
 * whose oldest entry goes when it is full.
 */
function refusedOriginLog(
  logger: Logger,
  now: () => number,
  capacity: number,
): (origin: string) => void {
  const lastLogged = new Map<string, number>();
  return (requestOrigin) => {
    const origin = requestOrigin.slice(0, MAX_LOGGED_ORIGIN_LENGTH);
    const time = now();
    const last = lastLogged.get(origin);
    if (last !== undefined && time - last < REFUSED_ORIGIN_LOG_INTERVAL_MS) return;
    lastLogged.delete(origin);
    if (lastLogged.size >= capacity) {
      const oldest = lastLogged.keys().next();
      if (!oldest.done) lastLogged.delete(oldest.value);
    }
    lastLogged.set(origin, time);
    // The Origin header alone: nothing else of the request, which may carry credentials.
    logger.warn('CORS refused a browser origin; add it to CORS_ORIGINS to allow it', { origin });
  };
}

/**
 * CORS for an allowlist of origins, any loopback origin, or '*' for any. An allowed origin
 * gets Access-Control-Allow-Origin (and, on a preflight, the methods and headers it may
 * use); any other origin gets no Access-Control-Allow-Origin, so its browser blocks the
 * answer, and is logged. Preflights (OPTIONS) are answered 204 here. The options are fixed
 * at start-up; the package costs about 1 µs a request over hand-written headers, far below
 * 1% of a token.
 */
export function corsFor(origins: CorsOrigins, options: CorsOptions = {}): RequestHandler {
  let origin: cors.CorsOptions['origin'] = '*';
  if (origins !== '*') {
    const isAllowed = allowsOrigin(origins);
    const logRefused = refusedOriginLog(
      options.logger ?? silentLogger,
      options.now ?? Date.now,
      options.maxRememberedOrigins ?? MAX_REMEMBERED_REFUSED_ORIGINS,
    );
    origin = (requestOrigin, callback) => {
      // No Origin header: not a cross-origin browser request, nothing to allow or log.
      if (requestOrigin === undefined) return callback(null, NO_ORIGIN);
      if (isAllowed(requestOrigin)) return callback(null, true);
      logRefused(requestOrigin);
      callback(null, NO_ORIGIN);
    };
  }
  return cors({
    origin,
    // DELETE for the moderator routes a host's page calls (DELETE /bans/{id}, /invites/{id}).
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-API-Key', 'X-Request-Id', 'X-Invite-Code'],
    exposedHeaders: ['X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
    // How long a browser may cache a preflight answer, in seconds.
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
}
