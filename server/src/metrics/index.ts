// The app's Prometheus metrics: a registry per app (tests build many apps in one process),
// holding Node's process metrics and our own, which requests and JWKS fetches count into.
import type { Request, Response } from 'express';
import { type Counter, Registry } from 'prom-client';
import type { JwksFetchOutcome } from '../auth/jwks-options';
import { defineAppMetrics, JWKS_FETCH_OUTCOMES, type MetricSources } from './definitions';
import { processMetricsRegistry } from './process-metrics';
import { RequestRecorder } from './request-recorder';

export { clusterMetrics, shareMetricsWithPrimary } from './cluster';
export { METRIC_PREFIX, REQUEST_DURATION_BUCKETS_SECONDS } from './definitions';
export {
  createMetricsServer,
  METRICS_PATH,
  metricsRequestListener,
  type MetricsSource,
} from './serve';

/** One app's metrics, and what feeds them. */
export interface AppMetrics {
  /** The app's registry, Node's process metrics included: what GET /metrics serves. */
  readonly registry: Registry;
  /** Counts one answered request; the request context calls it when the answer is sent. */
  requestFinished(req: Request, res: Response, durationSeconds: number): void;
  /** Counts one fetch of the login provider's key set. */
  jwksFetched(outcome: JwksFetchOutcome): void;
}

/** What an app's metrics need to know of it. */
export interface AppMetricsOptions extends MetricSources {
  /** The configured role names, counted from zero in tokens_issued_total. */
  roles: Iterable<string>;
}

/** Makes the metrics of one app. */
export function createAppMetrics(options: AppMetricsOptions): AppMetrics {
  const own = new Registry();
  const metrics = defineAppMetrics(own, options);
  const recorder = new RequestRecorder(metrics, options.roles);
  const jwksFetches = new Map<JwksFetchOutcome, Counter.Internal>();
  for (const outcome of JWKS_FETCH_OUTCOMES) {
    const child = metrics.jwksFetches.labels(outcome);
    child.inc(0);
    jwksFetches.set(outcome, child);
  }
  return {
    registry: Registry.merge([own, processMetricsRegistry()]),
    requestFinished: (req, res, durationSeconds) => recorder.record(req, res, durationSeconds),
    jwksFetched: (outcome) => jwksFetches.get(outcome)?.inc(),
  };
}
