// Builds the Express app: its parts (metrics, signer, issuer, authentication, budgets,
// readiness), the middleware every request passes, and the route table. Never listens;
// the entry point (index.ts) and the tests do.
// First, before Express loads: it keeps Express from loading body-parser, never used here.
import './lazy-body-parser';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import {
  authenticateRequest,
  createCallerAuthentication,
  DEFAULT_JWKS_OPTIONS,
  type CallerAuthentication,
  type JwksOptions,
} from './auth';
import type { Config } from './config';
import { corsFor } from './cors';
import { errorHandler, notFound } from './errors';
import { TokenSigner } from './grants';
import { createParticipantTokenIssuer } from './issue-token';
import { livekitRoomService } from './livekit/for-config';
import type { RoomServiceCalls } from './moderation/livekit-api';
import { createFailureBudget } from './invites/failure-budget';
import { createInvites } from './invites/invites';
import { createModeration, type Moderation } from './moderation/moderation';
import { livekitModeratorToken } from './moderation/moderator';
import { openModerationStore } from './moderation/open-store';
import type { ModerationStore } from './moderation/store';
import { silentLogger, type Logger } from './logger';
import { createAppMetrics, type AppMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi/document';
import type { OpenApiDocument } from './openapi/types';
import {
  BUDGET_NAMES,
  BUDGETS,
  createLimiterStore,
  DEFAULT_RATE_LIMIT_WINDOW_MS,
  rateLimitPerCaller,
  type BudgetName,
  type LimiterStore,
} from './rate-limit';
import { Readiness } from './readiness';
import { requestContext } from './request-context';
import { DEFAULT_DOCS_ASSETS_FOLDER } from './routes/docs';
import { registerRoutes } from './routes/register';
import type { AppParts } from './routes/route';
import { ROUTES } from './routes/table';
import { SERVER_VERSION } from './version';

export { SERVER_VERSION } from './version';

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
  /** Where the API reference's built files are (server/dist/docs); tests point elsewhere. */
  docsAssetsFolder?: string;
  /** Opens the moderation store (default: Redis with REDIS_URL, else SQLite in DATA_DIR). */
  openModerationStore?: () => ModerationStore;
  /** LiveKit's RoomService (default: the Twirp client when LIVEKIT_URL is set). */
  roomService?: RoomServiceCalls;
  /** Moderation's clock, in epoch milliseconds (default Date.now); tests move it. */
  now?: () => number;
  /** How long a full room's check with LiveKit may hold a token request, in ms (500). */
  reconcileWaitMs?: number;
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
  /** Bans, caps and the audit trail; the entry point opens the store at start-up. */
  moderation: Moderation;
}

/** The lifecycle and the document of each app createApp made. */
const appsMade = new WeakMap<
  object,
  { lifecycle: AppLifecycle; openApiDocument: () => OpenApiDocument }
>();

/** The lifecycle of an app made by createApp. */
export function lifecycleOf(app: Express): AppLifecycle {
  const made = appsMade.get(app);
  if (made === undefined) throw new Error('lifecycleOf: not an app made by createApp');
  return made.lifecycle;
}

/**
 * The OpenAPI document of an app made by createApp, built the first time it is asked for;
 * undefined for anything else (the tests' contract check asks of every app it sees).
 */
export function openApiDocumentOf(app: object): OpenApiDocument | undefined {
  return appsMade.get(app)?.openApiDocument();
}

/** The JWKS settings of an app: the defaults, AUTH_JWKS_TIMEOUT_MS, the tests' overrides. */
function jwksOptionsFor(config: Config, options: AppOptions, metrics: AppMetrics): JwksOptions {
  return {
    ...DEFAULT_JWKS_OPTIONS,
    ...(config.auth.mode === 'jwt' ? { timeoutMs: config.auth.jwksTimeoutMs } : {}),
    ...(options.jwksCooldownMs === undefined ? {} : { cooldownMs: options.jwksCooldownMs }),
    onFetch: metrics.jwksFetched,
    ...options.jwks,
  };
}

/** What /readyz checks (the login provider's keys) and reports (Redis, when configured). */
function readinessOf(authentication: CallerAuthentication, limiterStore: LimiterStore): Readiness {
  const readiness = new Readiness();
  readiness.add('jwks', () => authentication.notReadyBecause());
  readiness.addDegradation('redis', () => {
    const { redisConfigured, redisReachable } = limiterStore.status();
    // Budgets are counted in memory meanwhile, a share each: the instance still serves.
    return redisConfigured && !redisReachable
      ? "Redis (REDIS_URL) does not answer: rate limits are counted in this instance's memory, a share of each budget (REDIS_FALLBACK_SHARE)"
      : undefined;
  });
  return readiness;
}

/** One limiter per budget, each counting its 429s into the metrics. */
function budgetLimiters(
  config: Config,
  store: LimiterStore,
  windowMs: number,
  metrics: AppMetrics,
): Record<BudgetName, RequestHandler> {
  const entries = BUDGET_NAMES.map((name) => {
    const { spentOn, setting, perMinute } = BUDGETS[name];
    const limiter = rateLimitPerCaller(
      { name, spentOn, setting },
      perMinute(config),
      windowMs,
      store,
      metrics.rateLimited,
    );
    return [name, limiter] as const;
  });
  return Object.fromEntries(entries) as Record<BudgetName, RequestHandler>;
}

/** The middleware every request passes before its route: settings, context, headers, CORS. */
function useCommonMiddleware(
  app: Express,
  config: Config,
  logger: Logger,
  metrics: AppMetrics,
): void {
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
}

/** Builds the Express app for a configuration. It never listens: the caller does. */
export function createApp(config: Config, options: AppOptions = {}): Express {
  const logger = options.logger ?? silentLogger;
  // With REDIS_URL, this connects to Redis at once (in the background).
  const limiterStore = createLimiterStore(config, { logger });
  const metrics = createAppMetrics({
    version: SERVER_VERSION,
    roles: config.roles.keys(),
    budgets: BUDGET_NAMES,
    limiterStatus: () => limiterStore.status(),
  });
  const signer = new TokenSigner(
    { apiKey: config.livekitApiKey, apiSecret: config.livekitApiSecret },
    config.livekitKeys,
  );
  const authentication = createCallerAuthentication(
    config.auth,
    jwksOptionsFor(config, options, metrics),
    logger,
  );
  const readiness = readinessOf(authentication, limiterStore);
  const moderation = createModeration({
    config,
    logger,
    openStore: options.openModerationStore ?? (() => openModerationStore(config)),
    roomService: options.roomService ?? livekitRoomService(config, signer, logger),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.reconcileWaitMs === undefined ? {} : { reconcileWaitMs: options.reconcileWaitMs }),
  });
  const prepare = () => authentication.prepare();
  let openApiDocument: OpenApiDocument | undefined;
  const issuer = createParticipantTokenIssuer(config, signer, metrics.tokenIssued, moderation);
  const invites = createInvites({
    config,
    moderation,
    issuer,
    failures: createFailureBudget(limiterStore, config.inviteFailureLimitPerMinute, (budget) => {
      metrics.rateLimited(budget);
      metrics.inviteRedeemed('rate_limited');
    }),
    countRedemption: metrics.inviteRedeemed,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const parts: AppParts = {
    config,
    logger,
    metrics,
    signer,
    issuer,
    moderation,
    invites,
    readiness,
    prepare,
    openApiDocument: () => (openApiDocument ??= buildOpenApiDocument(config, SERVER_VERSION)),
    docsAssetsFolder: options.docsAssetsFolder ?? DEFAULT_DOCS_ASSETS_FOLDER,
  };

  const app = express();
  useCommonMiddleware(app, config, logger, metrics);
  registerRoutes(app, ROUTES, parts, {
    authenticate: authenticateRequest(authentication.authenticate, metrics.authenticated),
    moderatorToken: livekitModeratorToken(signer, config.livekitKeys),
    budgets: budgetLimiters(
      config,
      limiterStore,
      options.rateLimitWindowMs ?? DEFAULT_RATE_LIMIT_WINDOW_MS,
      metrics,
    ),
  });
  app.use(notFound);
  app.use(errorHandler(logger, metrics.refused));

  appsMade.set(app, {
    lifecycle: {
      readiness,
      prepare,
      limiter: limiterStore,
      close: async () => {
        await Promise.all([limiterStore.close(), moderation.close()]);
      },
      metrics,
      moderation,
    },
    openApiDocument: parts.openApiDocument,
  });
  return app;
}
