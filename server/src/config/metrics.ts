// The metrics section: where GET /metrics (Prometheus text) is served, on a listener of its
// own so that the public port never shows it.
import { isIP } from 'node:net';
import { isWholeNumber, read, sectionVariables, type ParseContext } from './env';

export const METRICS_VARIABLES = sectionVariables('metrics', [
  { name: 'METRICS_PORT', description: 'Port of the /metrics listener, or off (default 9464)' },
  { name: 'METRICS_HOST', description: "Interface of the /metrics listener (the server's host)" },
]);

export const DEFAULT_METRICS_PORT = 9464;

/** The metrics listener, if any. */
export interface MetricsConfig {
  /** Port of the /metrics listener; undefined when METRICS_PORT=off. 0 picks a free one. */
  metricsPort: number | undefined;
  /** Interface of the /metrics listener; undefined means the server's own host. */
  metricsHost: string | undefined;
}

function parseMetricsPort(raw: string | undefined, problems: string[]): number | undefined {
  if (raw === undefined) return DEFAULT_METRICS_PORT;
  if (raw === 'off') return undefined;
  const port = Number(raw);
  if (!isWholeNumber(raw) || port > 65535) {
    problems.push('METRICS_PORT must be off or a whole number from 0 to 65535');
    return DEFAULT_METRICS_PORT;
  }
  return port;
}

/** Reads the metrics section. */
export function parseMetrics({ env, problems }: ParseContext): MetricsConfig {
  const metricsHost = read(env, 'METRICS_HOST');
  if (metricsHost !== undefined && isIP(metricsHost) === 0 && metricsHost !== 'localhost') {
    problems.push('METRICS_HOST must be an IP address of this machine, or localhost');
  }
  return { metricsPort: parseMetricsPort(read(env, 'METRICS_PORT'), problems), metricsHost };
}

/** The metrics settings as printed at start-up. */
export function describeMetrics(config: MetricsConfig): Record<string, string | number> {
  return {
    metrics_port: config.metricsPort ?? 'off',
    ...(config.metricsHost === undefined ? {} : { metrics_host: config.metricsHost }),
  };
}
