// Builds the Express app: the middleware every request passes, and the routes. Never
// listens; the entry point (index.ts) and the tests do.
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import {
  authenticateRequest,
  createCallerAuthentication,
  DEFAULT_JWKS_OPTIONS,
  requireAuthentication,
  type JwksOptions,
} from './auth';
import type { Config } from './config';
import { corsFor } from './cors';
import { errorHandler, methodNotAllowed, notFound } from './errors';
import { TokenSigner } from './grants';
import { jsonBody } from './json-body';
import { createAppMetrics, type AppMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi/document';
import { MAX_ATTRIBUTES_BYTES } from './schemas/fields';
import { silentLogger, type Logger } from './logger';
import {
  createLimiterStore,
  DEFAULT_RATE_LIMIT_WINDOW_MS,
  rateLimitPerCaller,
  type LimiterStore,
} from './rate-limit';
import { requestContext } from './request-context';
import { connectionDetailsHandler } from './routes/connection-details';
import { DOCS_ASSETS_PATH, docsAssetHandler, docsPageHandler } from './routes/docs';
import { healthHandler } from './routes/health';
import { openApiHandler } from './routes/openapi';
import { healthzHandler, readyzHandler } from './routes/probes';
import { Readiness } from './readiness';
import { tokenHandler } from './routes/token';
import { validateHandler } from './routes/validate';
import { SERVER_VERSION } from './version';

export { SERVER_VERSION } from './version';

/**
 * Largest accepted token request body: twice the metadata and attributes allowed, for
 * JSON escaping and agent dispatch; 256 KiB with the default 64 KiB of metadata.
 */
export function tokenBodyLimitBytes(config: Config): number {
  return 2 * (config.maxMetadataBytes + MAX_ATTRIBUTES_BYTES);
}

/** Largest accepted /validate body: room for the largest token the server mints. */
export function validateBodyLimitBytes(config: Config): number {
  return 2 * tokenBodyLimitBytes(config);
}

/** Options for createApp beyond the configuration. */
export interface AppOptions {
  /** Where access logs and unexpected errors go; silent by default. */
  logger?: Logger;
  /** The rate limits' window in milliseconds (default one minute); tests shorten it. */
  rateLimitWindowMs?: number;
  /** Least time between JWKS fetches caused by unknown key ids (default 30 s). */
  jwksCooldownMs?: number;
  /** Other JWKS fetch settings, for tests; the timeout comes from AUTH_JWKS_TIMEOUT_MS. */
  jwks?: Partial<JwksOptions>;
}

/** What the entry point needs of an app beyond its routes. */
export interface AppLifecycle {
  /** Decides GET /readyz; the entry point marks it stopping on SIGTERM. */
  readiness: Readiness;
  /** Fetches ahead what the first requests would need (the login provider's keys). */
  prepare(): Promise<void>;
  /** Where the rate limits count now (Redis or memory), and how Redis has been doing. */
  limiter: Pick<LimiterStore, 'status'>;
  /** Releases what the app holds open (the Redis connection); call once the server closed. */
  close(): Promise<void>;
  /** The app's Prometheus metrics; the entry point serves `metrics.registry` on METRICS_PORT. */
  metrics: AppMetrics;
}

/** The lifecycle of an app made by createApp. */
export function lifecycleOf(app: express.Express): AppLifecycle {
  return app.locals.lifecycle as AppLifecycle;
}

/** Builds the Express app for a configuration. It never listens: the caller does. */
export function createApp(config: Config, options: AppOptions = {}): express.Express {
  const logger = options.logger ?? silentLogger;
  const metrics = createAppMetrics({
    version: SERVER_VERSION,
    roles: config.roles.keys(),
    // Read at each scrape, long after the store below exists.
    limiterStatus: () => limiterStore.status(),
  });
  const signer = new TokenSigner(
    { apiKey: config.livekitApiKey, apiSecret: config.livekitApiSecret },
    config.livekitKeys,
  );
  const callerAuthentication = createCallerAuthentication(
    config.auth,
    {
      ...DEFAULT_JWKS_OPTIONS,
      ...(config.auth.mode === 'jwt' ? { timeoutMs: config.auth.jwksTimeoutMs } : {}),
      ...(options.jwksCooldownMs === undefined ? {} : { cooldownMs: options.jwksCooldownMs }),
      onFetch: metrics.jwksFetched,
      ...options.jwks,
    },
    logger,
  );
  const authenticate = authenticateRequest(callerAuthentication.authenticate);
  const readiness = new Readiness();
  readiness.add('jwks', () => callerAuthentication.notReadyBecause());
  const prepare = () => callerAuthentication.prepare();
  // With REDIS_URL, this connects to Redis at once (in the background).
  const limiterStore = createLimiterStore(config, { logger });
  readiness.add('redis', () => {
    const { redisConfigured, redisReachable } = limiterStore.status();
    // Budgets fall back to memory meanwhile, but instances would no longer share them.
    return redisConfigured && !redisReachable ? 'Redis (REDIS_URL) does not answer' : undefined;
  });
  const lifecycle: AppLifecycle = {
    readiness,
    prepare,
    limiter: limiterStore,
    close: () => limiterStore.close(),
    metrics,
  };
  const windowMs = options.rateLimitWindowMs ?? DEFAULT_RATE_LIMIT_WINDOW_MS;
  const app = express();
  app.locals.lifecycle = lifecycle;
  app.disable('x-powered-by');
  // Every answer is fresh (tokens, timestamps): hashing it for an ETag is wasted work.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  app.use(requestContext(logger, metrics));
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
  app.use(corsFor(config.corsOrigins, { logger }));
  // Both token routes spend one budget: a second route must not double a caller's tokens.
  const tokenBudget = rateLimitPerCaller(
    {
      name: 'token',
      spentOn: 'token requests (POST /token and /connection-details together)',
      setting: 'RATE_LIMIT_PER_MINUTE',
    },
    config.tokenRateLimitPerMinute,
    windowMs,
    limiterStore,
  );
  const validateBudget = rateLimitPerCaller(
    {
      name: 'validate',
      spentOn: 'requests to /validate',
      setting: 'VALIDATE_RATE_LIMIT_PER_MINUTE',
    },
    config.validateRateLimitPerMinute,
    windowMs,
    limiterStore,
  );
  // Who is calling comes first, so the rate limit can count per caller, failed logins
  // included; only then is a body read.
  const guarded = (budget: RequestHandler, bodyLimitBytes: number): RequestHandler[] => [
    authenticate,
    budget,
    requireAuthentication,
    jsonBody(bodyLimitBytes),
  ];
  // Routes sit directly on the app, one layer each: nested routers cost time on every request.
  app.route('/').get(healthHandler(SERVER_VERSION)).all(methodNotAllowed('GET'));
  app.route('/healthz').get(healthzHandler).all(methodNotAllowed('GET'));
  app.route('/readyz').get(readyzHandler(readiness, prepare)).all(methodNotAllowed('GET'));
  app
    .route('/token')
    .post(guarded(tokenBudget, tokenBodyLimitBytes(config)), tokenHandler(config, signer))
    .all(methodNotAllowed('POST'));
  app
    .route('/connection-details')
    .post(
      guarded(tokenBudget, tokenBodyLimitBytes(config)),
      connectionDetailsHandler(config, signer),
    )
    .all(methodNotAllowed('POST'));
  app
    .route('/validate')
    .post(
      guarded(validateBudget, validateBodyLimitBytes(config)),
      validateHandler(signer, { tokenInAuthorization: config.auth.mode === 'none' }),
    )
    .all(methodNotAllowed('POST'));
  // This app's OpenAPI document, built once; the tests check every answer against it.
  const openapi = buildOpenApiDocument({
    config,
    serverVersion: SERVER_VERSION,
    tokenBodyLimitBytes: tokenBodyLimitBytes(config),
    validateBodyLimitBytes: validateBodyLimitBytes(config),
  });
  app.locals.openapi = openapi;
  if (config.docsEnabled) {
    app.route('/openapi.json').get(openApiHandler(openapi)).all(methodNotAllowed('GET'));
    // The reference's page sets its own Content-Security-Policy, relaxed as Scalar needs.
    app.route('/docs').get(docsPageHandler).all(methodNotAllowed('GET'));
    app.route(`${DOCS_ASSETS_PATH}/:asset`).get(docsAssetHandler).all(methodNotAllowed('GET'));
  }
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
