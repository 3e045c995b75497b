// The entry point: loads .env and the configuration, then either serves in this process or,
// with TOKEN_SERVER_WORKERS above 1, supervises worker processes that serve on one port.
// Stops cleanly on SIGTERM/SIGINT: /readyz turns 503 for SHUTDOWN_DRAIN_MS, then in-flight
// requests are finished. The only module with side effects at import.
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import dotenv from 'dotenv';
import { createApp, lifecycleOf, SERVER_VERSION } from './app';
import { ConfigError, configWarnings, loadConfig, type Config } from './config';
import { unknownVariableReport } from './config/unknown-variables';
import { trackForGracefulStop } from './graceful-stop';
import { createHttpServer } from './http-server';
import { createJsonLogger, type Logger } from './logger';
import {
  clusterMetrics,
  createMetricsServer,
  shareMetricsWithPrimary,
  type MetricsSource,
} from './metrics';
import type { RedisModerationStore } from './moderation/redis-store';
import { holdClusterBudgets } from './rate-limit/cluster-store';
import { reportStyleFor, startupReport } from './startup-report';
import { DEFAULT_SUPERVISOR_OPTIONS, superviseWorkers } from './worker-supervisor';

/** How long in-flight requests get to finish after the drain, in milliseconds. */
const SHUTDOWN_GRACE_MS = 10_000;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** The configuration, and the warnings to print about it; exits 1 on any problem. */
function readConfig(): { config: Config; warnings: string[] } {
  // The real environment wins over .env: dotenv never overrides a variable already set.
  const dotenvNames = Object.keys(dotenv.config({ quiet: true }).parsed ?? {});
  const unknown = unknownVariableReport(process.env, dotenvNames);
  let config: Config | undefined;
  let problems: string[] = [];
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  problems = [...problems, ...unknown.problems];
  if (config === undefined || problems.length > 0) {
    fail(`Configuration error: ${problems.join('; ')}. See .env.example.`);
  }
  return { config, warnings: [...configWarnings(config), ...unknown.warnings] };
}

function listenError(error: NodeJS.ErrnoException, config: Config): never {
  const where = `${config.host}:${config.port}`;
  if (error.code === 'EADDRINUSE') {
    fail(
      `Port ${config.port} is already in use on ${config.host}: stop the process using it, or set TOKEN_SERVER_PORT to a free port.`,
    );
  }
  if (error.code === 'EACCES') {
    fail(`Not allowed to listen on ${where}: choose a TOKEN_SERVER_PORT above 1023.`);
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    fail(`Cannot listen on ${where}: TOKEN_SERVER_HOST is not an address of this machine.`);
  }
  fail(`Cannot listen on ${where}: ${error.message}`);
}

function printWarnings(warnings: string[]): void {
  for (const warning of warnings) process.stderr.write(`WARNING: ${warning}\n`);
}

function printListening(config: Config, port: number): void {
  process.stdout.write(
    startupReport(reportStyleFor(process.stdout.isTTY === true, config), config, {
      version: SERVER_VERSION,
      url: `http://${config.host}:${port}`,
      port,
      workers: config.workers,
    }),
  );
}

/** Why the metrics listener cannot listen, as the operator fixes it; exits 1. */
function metricsListenError(error: NodeJS.ErrnoException, host: string, port: number): never {
  const where = `${host}:${port}`;
  const off = 'or METRICS_PORT=off to serve no metrics';
  if (error.code === 'EADDRINUSE') {
    fail(
      `Metrics port ${port} is already in use on ${host}: stop the process using it (often another instance), set METRICS_PORT to a free port, ${off}.`,
    );
  }
  if (error.code === 'EACCES') {
    fail(`Not allowed to serve metrics on ${where}: choose a METRICS_PORT above 1023, ${off}.`);
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    fail(
      `Cannot serve metrics on ${where}: METRICS_HOST is not an address of this machine; set another, ${off}.`,
    );
  }
  fail(
    `Cannot serve metrics on ${where}: ${error.message}; set METRICS_PORT=off to serve no metrics.`,
  );
}

/**
 * Serves GET /metrics on METRICS_PORT, apart from the public port, then calls `listening`.
 * The metrics listener goes first, before the API's port: one that cannot listen (most
 * often a second instance on the same machine, whose metrics would silently go missing)
 * stops the start with exit 1 before anything is served or announced as listening.
 */
function serveMetrics(
  config: Config,
  source: MetricsSource,
  logger: Logger,
  listening: () => void,
): void {
  const port = config.metricsPort;
  if (port === undefined) {
    listening();
    return;
  }
  const host = config.metricsHost;
  const metricsServer = createMetricsServer(source, logger);
  const refuseToStart = (error: NodeJS.ErrnoException) => metricsListenError(error, host, port);
  metricsServer.on('error', refuseToStart);
  metricsServer.listen(port, host, () => {
    // From here on, a failing metrics listener is logged: it never stops tokens being served.
    metricsServer.off('error', refuseToStart);
    metricsServer.on('error', (error: NodeJS.ErrnoException) => {
      logger.warn('metrics listener error', { error: error.code ?? error.message });
    });
    // Metrics never keep a stopping process alive.
    metricsServer.unref();
    const { port: boundPort } = metricsServer.address() as AddressInfo;
    const line = {
      time: new Date().toISOString(),
      level: 'info',
      message: `metrics on http://${host}:${boundPort}/metrics`,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    listening();
  });
}

/** Serves in this process: the only one, or one of the workers. */
function serve(config: Config, warnings: string[]): void {
  const isWorker = cluster.isWorker;
  // The primary has said it all already.
  if (!isWorker) printWarnings(warnings);
  const logger = createJsonLogger();
  // Every way out (signals, listen errors, process.exit) passes here: no log line is lost.
  process.on('exit', () => logger.flush());
  const app = createApp(config, { logger });
  const lifecycle = lifecycleOf(app);
  // Open the moderation store now: an unusable DATA_DIR is a start-up error, not a 503 later.
  try {
    const store = lifecycle.moderation.open();
    // Bans in a Redis that persists nothing are lost when it restarts: say so, once.
    if (!isWorker && 'persistenceWarning' in store) {
      void (store as RedisModerationStore)
        .persistenceWarning()
        .then((warning) => warning !== undefined && logger.warn(warning));
    }
  } catch (error) {
    fail(`Moderation store: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Fetch the login provider's keys now, so that /readyz turns 200 before the first login.
  void lifecycle.prepare();
  const server = createHttpServer(app, {
    onConnectionClosed: (reason) => lifecycle.metrics.connectionClosed(reason),
  });
  const graceful = trackForGracefulStop(server);
  server.on('error', (error: NodeJS.ErrnoException) => listenError(error, config));
  const listen = () => server.listen(config.port, config.host);
  // Workers hand their counts to the primary, whose /metrics shows the sum. Alone, this
  // process listens on the API's port only once its metrics listener is up.
  if (isWorker) {
    shareMetricsWithPrimary(lifecycle.metrics.registry);
    listen();
  } else {
    serveMetrics(config, lifecycle.metrics.registry, logger, listen);
  }
  server.on('listening', () => {
    if (!isWorker) printListening(config, (server.address() as AddressInfo).port);
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C reaches the workers and the primary, which passes SIGTERM on.
    if (stopping) return;
    stopping = true;
    if (!isWorker) {
      process.stdout.write(
        `Received ${signal}: draining for ${config.shutdownDrainMs} ms, then finishing in-flight requests and exiting.\n`,
      );
    }
    lifecycle.readiness.markStopping();
    // Load balancers see /readyz fail and stop sending before connections are refused.
    setTimeout(() => {
      void graceful.stop(SHUTDOWN_GRACE_MS).then(async (finished) => {
        if (!finished) {
          process.stderr.write('In-flight requests did not finish in time; closed them.\n');
        }
        await lifecycle.close();
        process.exit(finished ? 0 : 1);
      });
    }, config.shutdownDrainMs);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** Supervises the workers; the primary serves no request itself. */
function supervise(config: Config, warnings: string[]): void {
  printWarnings(warnings);
  // Without Redis, the workers count their budgets here, so they share one per caller.
  if (config.redisUrl === undefined) holdClusterBudgets(config.rateLimitMaxCallers);
  let announced = false;
  cluster.on('listening', (_worker, address) => {
    if (announced) return;
    announced = true;
    printListening(config, address.port);
  });
  // No worker is started until the metrics listener is up: a metrics port that cannot
  // listen stops the primary before any worker serves.
  serveMetrics(config, clusterMetrics(), createJsonLogger(), () =>
    superviseWorkers({
      ...DEFAULT_SUPERVISOR_OPTIONS,
      workers: config.workers,
      stopTimeoutMs: config.shutdownDrainMs + SHUTDOWN_GRACE_MS + 5_000,
      report: (level, message, fields) => {
        const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields });
        (level === 'info' ? process.stdout : process.stderr).write(`${line}\n`);
      },
    }),
  );
}

function main(): void {
  const { config, warnings } = readConfig();
  if (config.workers > 1 && cluster.isPrimary) supervise(config, warnings);
  else serve(config, warnings);
}

main();
