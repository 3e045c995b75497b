import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import {
  authenticateRequest,
  callerOf,
  createAuthenticate,
  requireAuthentication,
  type Caller,
} from './auth';
import type { Config } from './config';
import { corsFor } from './cors';
import { errorHandler, HttpError, methodNotAllowed, notFound } from './errors';
import { TokenSigner } from './grants';
import { redactPath, silentLogger, type Logger } from './logger';
import { DEFAULT_RATE_LIMIT_WINDOW_MS, rateLimitPerCaller } from './rate-limit';
import { connectionDetailsHandler } from './routes/connection-details';
import { healthHandler } from './routes/health';
import { tokenHandler } from './routes/token';
import { validateHandler } from './routes/validate';

/**
 * Largest accepted token request body: room for 64 KiB of metadata and 64 KiB of attributes
 * (LiveKit's own caps), JSON escaping and agent dispatch.
 */
export const TOKEN_BODY_LIMIT_BYTES = 256 * 1024;
/** Largest accepted /validate body: room for the largest token the server mints. */
export const VALIDATE_BODY_LIMIT_BYTES = 512 * 1024;

/** The server package's version, reported by `GET /`. */
export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** True for a request declared as JSON, or not declared at all. */
function parsesAsJson(req: IncomingMessage): boolean {
  const contentType = req.headers['content-type'];
  if (contentType === undefined) return true;
  return contentType.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * Refuses a body declared as something other than JSON with 415, before anything parses it.
 * A body with no Content-Type at all is parsed as JSON: Node's own clients send an empty
 * POST that way, and anything that is not JSON then fails as malformed.
 */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  // req.is answers null when there is no body at all, which is fine: fields are checked later.
  if (!parsesAsJson(req) && req.is('application/json') === false) {
    next(
      new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'Send the request body as JSON with Content-Type: application/json.',
      ),
    );
    return;
  }
  next();
};

/** An incoming X-Request-Id worth keeping: short, and nothing that could forge a log line. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** The request's id: the caller's well-formed X-Request-Id, or a new UUID. */
function requestIdOf(incoming: string | undefined): string {
  return incoming !== undefined && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}

/** How a caller appears in the logs: the key's number or the login identity, never a secret. */
function describeCaller(caller: Caller): string {
  switch (caller.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'api-key':
      return `api-key:${caller.keyId}`;
    case 'jwt':
      return `jwt:${caller.identity}`;
  }
}

/**
 * Gives every request an id (echoed as X-Request-Id), takes its client IP once (the rate
 * limit reads it too), and logs one line when it is answered. Only the redacted path is
 * logged (the query string and long opaque segments may carry tokens), and no header at
 * all, so Authorization and X-API-Key never reach the logs.
 */
function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const startedAt = performance.now();
    const requestId = requestIdOf(req.get('x-request-id'));
    res.locals.requestId = requestId;
    res.locals.clientIp = req.ip;
    res.setHeader('X-Request-Id', requestId);
    // Token answers are credentials, and no answer here is worth caching.
    res.setHeader('Cache-Control', 'no-store');
    res.on('finish', () => {
      logger.info('request', {
        request_id: requestId,
        method: req.method,
        path: redactPath(req.originalUrl),
        status: res.statusCode,
        duration_ms: Math.round((performance.now() - startedAt) * 100) / 100,
        ip: res.locals.clientIp as string | undefined,
        caller: res.locals.authError ? 'unauthenticated' : describeCaller(callerOf(res.locals)),
      });
    });
    next();
  };
}

/** Options for createApp beyond the configuration. */
export interface AppOptions {
  /** Where access logs and unexpected errors go; silent by default. */
  logger?: Logger;
  /** The rate limits' window in milliseconds (default one minute); tests shorten it. */
  rateLimitWindowMs?: number;
  /** Least time between JWKS fetches caused by unknown key ids (default 30 s). */
  jwksCooldownMs?: number;
}

/** Builds the Express app for a configuration. It never listens: the caller does. */
export function createApp(config: Config, options: AppOptions = {}): express.Express {
  const logger = options.logger ?? silentLogger;
  const signer = new TokenSigner(config, config.livekitKeys);
  const authenticate = authenticateRequest(
    createAuthenticate(config.auth, { cooldownMs: options.jwksCooldownMs ?? 30_000 }, logger),
  );
  const windowMs = options.rateLimitWindowMs ?? DEFAULT_RATE_LIMIT_WINDOW_MS;
  const app = express();
  app.disable('x-powered-by');
  // Every answer is fresh (tokens, timestamps): hashing it for an ETag is wasted work.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  app.use(requestContext(logger));
  app.use(
    // The headers that matter for a JSON API (OWASP's REST guidance); those meant for HTML
    // pages (DNS prefetch, IE downloads, Flash policies, XSS auditor...) only cost bytes.
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
      xDnsPrefetchControl: false,
      xDownloadOptions: false,
      xPermittedCrossDomainPolicies: false,
      xXssProtection: false,
      xFrameOptions: { action: 'deny' },
    }),
  );
  app.use(corsFor(config.corsOrigins));
  // Both token routes spend one budget: a second route must not double a caller's tokens.
  const tokenBudget = rateLimitPerCaller(
    { name: 'token', spentOn: 'token requests (POST /token and /connection-details together)' },
    config.tokenRateLimitPerMinute,
    windowMs,
  );
  const validateBudget = rateLimitPerCaller(
    { name: 'validate', spentOn: 'requests to /validate' },
    config.validateRateLimitPerMinute,
    windowMs,
  );
  // Who is calling comes first, so the rate limit can count per caller, failed logins
  // included; only then is a body read.
  const guarded = (budget: RequestHandler, bodyLimitBytes: number): RequestHandler[] => [
    authenticate,
    budget,
    requireAuthentication,
    requireJsonBody,
    express.json({ limit: bodyLimitBytes, type: parsesAsJson }),
  ];
  // Routes sit directly on the app, one layer each: nested routers cost time on every request.
  app.route('/').get(healthHandler(SERVER_VERSION)).all(methodNotAllowed('GET'));
  app
    .route('/token')
    .post(guarded(tokenBudget, TOKEN_BODY_LIMIT_BYTES), tokenHandler(config, signer))
    .all(methodNotAllowed('POST'));
  app
    .route('/connection-details')
    .post(guarded(tokenBudget, TOKEN_BODY_LIMIT_BYTES), connectionDetailsHandler(config, signer))
    .all(methodNotAllowed('POST'));
  app
    .route('/validate')
    .post(
      guarded(validateBudget, VALIDATE_BODY_LIMIT_BYTES),
      validateHandler(signer, { tokenInAuthorization: config.auth.mode === 'none' }),
    )
    .all(methodNotAllowed('POST'));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
