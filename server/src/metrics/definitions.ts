// The app's own metrics: names, types, labels and help, as docs/metrics.md lists them. No
// label ever holds an identity, a room, a token, a key or a requested path: only route
// names, role names, error codes and other values from a small, fixed set.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JwksFetchOutcome } from '../auth/jwks-options';
import type { LimiterStatus } from '../rate-limit';

/** Prepended to the name of every metric of ours (Node's process metrics keep their own). */
export const METRIC_PREFIX = 'livekit_token_server_';

/**
 * Upper bounds of request_duration_seconds, in seconds: fine from 0.5 ms to 50 ms, where
 * answers fall, then coarse up to 5 s, the default timeout of a JWKS fetch a login waits on.
 */
export const REQUEST_DURATION_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5,
];

/** Every way a JWKS fetch ends, each counted from zero. */
export const JWKS_FETCH_OUTCOMES = [
  'ok',
  'error',
  'timeout',
  'too_large',
] as const satisfies readonly JwksFetchOutcome[];

/** The metrics that requests and JWKS fetches count into; the gauges read their own. */
export interface AppMetricSet {
  tokensIssued: Counter<'route' | 'role'>;
  requestsRefused: Counter<'route' | 'code'>;
  rateLimited: Counter<'budget'>;
  callerAuthentications: Counter<'outcome'>;
  jwksFetches: Counter<'outcome'>;
  connectionsClosed: Counter<'reason'>;
  inviteRedemptions: Counter<'outcome'>;
  requestDuration: Histogram<'route' | 'status_class'>;
}

/** How an invite redemption ended, each counted from zero (invite_redemptions_total). */
export const INVITE_REDEMPTION_OUTCOMES = [
  'redeemed',
  'waiting',
  'not_found',
  'expired',
  'used_up',
  'rate_limited',
] as const;

/** Why the server closed a connection on its own, each counted from zero. */
export const CONNECTION_CLOSED_REASONS = ['pipelining', 'stalled'] as const;

/** What the metrics read from the rest of the app when scraped. */
export interface MetricSources {
  /** The server's version, for build_info. */
  version: string;
  /** Where the rate limits count now, and Redis errors so far. */
  limiterStatus: () => LimiterStatus;
}

/** Defines every metric of ours in `registry`. */
export function defineAppMetrics(registry: Registry, sources: MetricSources): AppMetricSet {
  const registers = [registry];
  const buildInfo = new Gauge({
    name: `${METRIC_PREFIX}build_info`,
    help: 'Always 1, labelled with the version of the server that runs.',
    labelNames: ['version'],
    registers,
    // Summed over a cluster's workers it would read the number of workers.
    aggregator: 'first',
  });
  buildInfo.set({ version: sources.version }, 1);
  new Gauge({
    name: `${METRIC_PREFIX}rate_limit_store`,
    help: 'Where rate limits are counted now: 1 for the store in use (redis or memory), 0 for the other.',
    labelNames: ['store'],
    registers,
    collect() {
      const { store } = sources.limiterStatus();
      this.set({ store: 'redis' }, store === 'redis' ? 1 : 0);
      this.set({ store: 'memory' }, store === 'memory' ? 1 : 0);
    },
  });
  new Counter({
    name: `${METRIC_PREFIX}redis_errors_total`,
    help: 'Redis calls that failed or timed out, and failed connections to Redis.',
    registers,
    // The limiter keeps the count; the counter shows it as it is at each scrape.
    collect() {
      this.reset();
      this.inc(sources.limiterStatus().redisErrors);
    },
  });
  return {
    tokensIssued: new Counter({
      name: `${METRIC_PREFIX}tokens_issued_total`,
      help: 'LiveKit tokens issued, by route and role.',
      labelNames: ['route', 'role'],
      registers,
    }),
    requestsRefused: new Counter({
      name: `${METRIC_PREFIX}requests_refused_total`,
      help: 'Requests answered with a 4xx or 5xx status, by route and error code.',
      labelNames: ['route', 'code'],
      registers,
    }),
    rateLimited: new Counter({
      name: `${METRIC_PREFIX}rate_limited_total`,
      help: 'Requests refused with 429 RATE_LIMITED, by the budget they were over.',
      labelNames: ['budget'],
      registers,
    }),
    inviteRedemptions: new Counter({
      name: `${METRIC_PREFIX}invite_redemptions_total`,
      help: 'Invite redemptions by outcome: redeemed (a token), waiting (a lobby), or why refused.',
      labelNames: ['outcome'],
      registers,
    }),
    callerAuthentications: new Counter({
      name: `${METRIC_PREFIX}caller_authentications_total`,
      help: 'Caller authentications on the routes that check callers, by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
    jwksFetches: new Counter({
      name: `${METRIC_PREFIX}jwks_fetches_total`,
      help: "Fetches of the login provider's key set (AUTH_JWKS_URL), by outcome.",
      labelNames: ['outcome'],
      registers,
    }),
    connectionsClosed: new Counter({
      name: `${METRIC_PREFIX}connections_closed_total`,
      help: 'Connections the server closed on its own: pipelining far more requests than any client does, or stalled with an answer unread.',
      labelNames: ['reason'],
      registers,
    }),
    requestDuration: new Histogram({
      name: `${METRIC_PREFIX}request_duration_seconds`,
      help: 'Time from receiving a request to answering it, by route and status class.',
      labelNames: ['route', 'status_class'],
      buckets: REQUEST_DURATION_BUCKETS_SECONDS,
      registers,
    }),
  };
}
