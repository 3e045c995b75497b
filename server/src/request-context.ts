// The first step of every request: its id, its client IP, no-store caching, and the one
// access-log line written, and metrics counted, when it is answered.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { callerLabel, callerOf } from './caller';
import { clientAddressOf } from './client-address';
import { redactPath, type Logger } from './logger';
import type { AppMetrics } from './metrics';
import { routeLabelOf } from './route-label';

/** An incoming X-Request-Id worth keeping: short, and nothing that could forge a log line. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** The request's id: the caller's well-formed X-Request-Id, or a new UUID. */
function requestIdOf(incoming: string | undefined): string {
  return incoming !== undefined && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}

/**
 * Gives every request an id (echoed as X-Request-Id), takes its client IP once (the rate
 * limit reads it too), and logs one line when it is answered. Only the redacted path is
 * logged (the query string and long opaque segments may carry tokens), and no header at
 * all, so Authorization and X-API-Key never reach the logs. The same moment counts the
 * request's route, status and duration in `metrics`, when given; everything else is
 * counted where it happens.
 */
export function requestContext(
  logger: Logger,
  metrics?: Pick<AppMetrics, 'requestFinished'>,
): RequestHandler {
  return (req, res, next) => {
    const startedAt = performance.now();
    const requestId = requestIdOf(req.get('x-request-id'));
    res.locals.requestId = requestId;
    res.locals.clientIp = clientAddressOf(req);
    res.setHeader('X-Request-Id', requestId);
    // Token answers are credentials, and no answer here is worth caching.
    res.setHeader('Cache-Control', 'no-store');
    res.on('finish', () => {
      const durationMs = performance.now() - startedAt;
      logger.info('request', {
        request_id: requestId,
        method: req.method,
        path: redactPath(req.originalUrl),
        status: res.statusCode,
        duration_ms: Math.round(durationMs * 100) / 100,
        ip: res.locals.clientIp,
        caller: res.locals.authError ? 'unauthenticated' : callerLabel(callerOf(res.locals)),
        // The audit trail's event of this request (token_issued), on the same line.
        ...res.locals.audit,
      });
      metrics?.requestFinished(routeLabelOf(req), res.statusCode, durationMs / 1000);
    });
    next();
  };
}
