import type { RequestHandler } from 'express';

/** What the browser may send and read across origins. */
const ALLOWED_METHODS = 'GET,POST';
const ALLOWED_HEADERS = 'Content-Type,Authorization,X-API-Key,X-Request-Id';
const EXPOSED_HEADERS = 'X-Request-Id,RateLimit,RateLimit-Policy,Retry-After';
/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * CORS for an allowlist of origins, or '*' for any. An allowed origin gets
 * Access-Control-Allow-Origin (and, on a preflight, the methods and headers it may use);
 * any other origin gets no CORS headers, so its browser blocks the answer. Preflights
 * (OPTIONS) are answered 204 here.
 *
 * Written here rather than with the `cors` package, which rebuilds every header on every
 * request: the headers are fixed, so they are worked out once.
 */
export function corsFor(origins: string[] | '*'): RequestHandler {
  const allowed = origins === '*' ? undefined : new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    // The answer depends on Origin whenever the allowlist does: caches must know.
    if (allowed !== undefined) res.setHeader('Vary', 'Origin');
    const allowOrigin =
      origin === undefined
        ? undefined
        : allowed === undefined
          ? '*'
          : allowed.has(origin)
            ? origin
            : undefined;
    if (allowOrigin !== undefined) res.setHeader('Access-Control-Allow-Origin', allowOrigin);
    if (req.method !== 'OPTIONS') {
      if (allowOrigin !== undefined)
        res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      next();
      return;
    }
    if (allowOrigin !== undefined) {
      res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS);
    }
    res.statusCode = 204;
    res.setHeader('Content-Length', '0');
    res.end();
  };
}
