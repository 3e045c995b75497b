// Metrics under node:cluster: the primary answers /metrics with the sum of every worker's,
// which prom-client's AggregatorRegistry asks each worker for over the cluster's IPC channel.
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsSource } from './serve';

/**
 * For the primary: every worker's metrics, summed (build_info is taken from one worker, and
 * Node's process metrics each as prom-client aggregates them). Workers must have called
 * shareMetricsWithPrimary; one that does not answer within 5 s fails the scrape. With no
 * worker running, the text is empty.
 */
export function clusterMetrics(): MetricsSource {
  const aggregator = new AggregatorRegistry();
  return {
    contentType: aggregator.contentType,
    metrics: () => aggregator.clusterMetrics(),
  };
}

/** For a worker: answers the primary's requests for metrics with `registry`'s. */
export function shareMetricsWithPrimary(registry: Registry): void {
  // Without this, workers answer with prom-client's global registry, which we leave empty.
  AggregatorRegistry.setRegistries([registry]);
  // A worker answers through a listener that prom-client adds when the process makes its
  // first AggregatorRegistry, and only then.
  new AggregatorRegistry();
}
