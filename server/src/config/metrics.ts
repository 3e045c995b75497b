// The metrics section: where GET /metrics (Prometheus text) is served, on a listener of its
// own so that the public port never shows it.
import { isIP } from 'node:net';
import { isWholeNumber, read, sectionVariables, type ParseContext } from './env';

export const METRICS_VARIABLES = sectionVariables('metrics', [
  { name: 'METRICS_PORT', description: 'Port of the /metrics listener, or off (default 9464)' },
  {
    name: 'METRICS_HOST',
    description: 'Interface of the /metrics listener (default 127.0.0.1; 0.0.0.0 in the image)',
  },
]);

export const DEFAULT_METRICS_PORT = 9464;
/**
 * Loopback, whatever TOKEN_SERVER_HOST is: the API is often bound to 0.0.0.0 to be reached
 * from outside, and metrics must not follow it there unasked. Containers, where a scraper
 * comes from outside, set METRICS_HOST=0.0.0.0 themselves (the Dockerfile does).
 */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** The metrics listener, if any. */
export interface MetricsConfig {
  /** Port of the /metrics listener; undefined when METRICS_PORT=off. 0 picks a free one. */
  metricsPort: number | undefined;
  /** Interface of the /metrics listener: an IP address of this machine, or localhost. */
  metricsHost: string;
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

function parseMetricsHost(raw: string | undefined, problems: string[]): string {
  if (raw === undefined) return DEFAULT_METRICS_HOST;
  if (isIP(raw) === 0 && raw !== 'localhost') {
    problems.push('METRICS_HOST must be an IP address of this machine, or localhost');
    return DEFAULT_METRICS_HOST;
  }
  return raw;
}

/** Reads the metrics section. */
export function parseMetrics({ env, problems }: ParseContext): MetricsConfig {
  return {
    metricsPort: parseMetricsPort(read(env, 'METRICS_PORT'), problems),
    metricsHost: parseMetricsHost(read(env, 'METRICS_HOST'), problems),
  };
}

/** The metrics settings as printed at start-up: where they are served, or off. */
export function describeMetrics(config: MetricsConfig): Record<string, string | number> {
  if (config.metricsPort === undefined) return { metrics_port: 'off' };
  return { metrics_port: config.metricsPort, metrics_host: config.metricsHost };
}
