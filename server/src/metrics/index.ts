// The app's Prometheus metrics: a registry per app (tests build many apps in one process),
// holding Node's process metrics and our own, which each part of the app counts into at the
// moment something happens (events.ts).
import { type Counter, Registry } from 'prom-client';
import type { JwksFetchOutcome } from '../auth/jwks-options';
import type { AuthenticationOutcome } from '../auth/outcome';
import {
  CONNECTION_CLOSED_REASONS,
  INVITE_REDEMPTION_OUTCOMES,
  defineAppMetrics,
  JWKS_FETCH_OUTCOMES,
  type MetricSources,
} from './definitions';
import { MetricEvents } from './events';
import { processMetricsRegistry } from './process-metrics';

export { clusterMetrics, shareMetricsWithPrimary } from './cluster';
export { METRIC_PREFIX, REQUEST_DURATION_BUCKETS_SECONDS } from './definitions';
export {
  createMetricsServer,
  METRICS_PATH,
  metricsRequestListener,
  type MetricsSource,
} from './serve';

/** One app's metrics, and what counts into them. */
export interface AppMetrics {
  /** The app's registry, Node's process metrics included: what GET /metrics serves. */
  readonly registry: Registry;
  /** One answered request: the route it matched (or `other`), its status, its duration. */
  requestFinished(route: string, status: number, durationSeconds: number): void;
  /** One request refused with an error code, by route: the error handler says so. */
  refused(route: string, code: string): void;
  /** One request over a budget: the rate limit says so as it refuses it. */
  rateLimited(budget: string): void;
  /** One token issued, by route and role: the issuer says so as it signs it. */
  tokenIssued(route: string, role: string): void;
  /** How one caller authentication ended: authentication says so as it decides. */
  authenticated(outcome: AuthenticationOutcome): void;
  /** Counts one fetch of the login provider's key set. */
  jwksFetched(outcome: JwksFetchOutcome): void;
  /** One connection the HTTP server closed on its own, and why. */
  connectionClosed(reason: (typeof CONNECTION_CLOSED_REASONS)[number]): void;
  /** One invite redemption, by how it ended: failed ones are guesses, or typos. */
  inviteRedeemed(outcome: (typeof INVITE_REDEMPTION_OUTCOMES)[number]): void;
}

/** What an app's metrics need to know of it. */
export interface AppMetricsOptions extends MetricSources {
  /** The configured role names, counted from zero in tokens_issued_total. */
  roles: Iterable<string>;
  /** The rate limits' budget names, counted from zero in rate_limited_total. */
  budgets: Iterable<string>;
}

/** Makes the metrics of one app. */
export function createAppMetrics(options: AppMetricsOptions): AppMetrics {
  const own = new Registry();
  const metrics = defineAppMetrics(own, options);
  const events = new MetricEvents(metrics, options.roles, options.budgets);
  const jwksFetches = new Map<JwksFetchOutcome, Counter.Internal>();
  for (const outcome of JWKS_FETCH_OUTCOMES) {
    const child = metrics.jwksFetches.labels(outcome);
    child.inc(0);
    jwksFetches.set(outcome, child);
  }
  for (const reason of CONNECTION_CLOSED_REASONS) metrics.connectionsClosed.labels(reason).inc(0);
  for (const outcome of INVITE_REDEMPTION_OUTCOMES)
    metrics.inviteRedemptions.labels(outcome).inc(0);
  return {
    registry: Registry.merge([own, processMetricsRegistry()]),
    requestFinished: (route, status, durationSeconds) =>
      events.requestFinished(route, status, durationSeconds),
    refused: (route, code) => events.refused(route, code),
    rateLimited: (budget) => events.rateLimited(budget),
    tokenIssued: (route, role) => events.tokenIssued(route, role),
    authenticated: (outcome) => events.authenticated(outcome),
    jwksFetched: (outcome) => jwksFetches.get(outcome)?.inc(),
    connectionClosed: (reason) => metrics.connectionsClosed.labels(reason).inc(),
    inviteRedeemed: (outcome) => metrics.inviteRedemptions.labels(outcome).inc(),
  };
}
