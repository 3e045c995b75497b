// Node's default process metrics (CPU, memory, event loop, GC, handles), shared by every app
// of the process.
import { collectDefaultMetrics, Registry } from 'prom-client';

let processMetrics: Registry | undefined;

/**
 * A registry of Node's default process metrics, made on first use and the same for every
 * app after. They describe the process, not an app, and each collectDefaultMetrics call
 * starts an event-loop monitor (a 10 ms timer) and a GC observer of its own that are never
 * stopped: one per app would pile up in tests that build hundreds of apps.
 */
export function processMetricsRegistry(): Registry {
  if (processMetrics === undefined) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}
