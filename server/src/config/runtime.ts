// The runtime section: how many worker processes serve requests, and how long a stopping
// instance keeps serving while load balancers take it out of rotation.
import { availableParallelism } from 'node:os';
import { isWholeNumber, read, sectionVariables, type ParseContext } from './env';

export const RUNTIME_VARIABLES = sectionVariables('runtime', [
  {
    name: 'TOKEN_SERVER_WORKERS',
    description: 'Worker processes on one port: a number, or auto for one per CPU (default 1)',
  },
  {
    name: 'SHUTDOWN_DRAIN_MS',
    description:
      'After SIGTERM, how long /readyz answers 503 while serving on (default 5000 in production, else 0)',
  },
]);

/** The most workers we start, whatever the machine: beyond it, memory, not CPU, runs out. */
export const MAX_WORKERS = 64;
/** The longest drain an operator may set, in milliseconds. */
export const MAX_SHUTDOWN_DRAIN_MS = 120_000;
const PRODUCTION_SHUTDOWN_DRAIN_MS = 5_000;

/** Processes and shutdown. */
export interface RuntimeConfig {
  /** Worker processes; 1 runs the server in this process, without node:cluster. */
  workers: number;
  /** After SIGTERM, how long to keep serving with /readyz at 503, in milliseconds. */
  shutdownDrainMs: number;
}

function parseWorkers(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return 1;
  if (raw === 'auto') return Math.min(availableParallelism(), MAX_WORKERS);
  const workers = Number(raw);
  if (!isWholeNumber(raw) || workers < 1 || workers > MAX_WORKERS) {
    problems.push(`TOKEN_SERVER_WORKERS must be auto or a whole number from 1 to ${MAX_WORKERS}`);
    return 1;
  }
  return workers;
}

function parseShutdownDrain(
  raw: string | undefined,
  production: boolean,
  problems: string[],
): number {
  if (raw === undefined) return production ? PRODUCTION_SHUTDOWN_DRAIN_MS : 0;
  const milliseconds = Number(raw);
  if (!isWholeNumber(raw) || milliseconds > MAX_SHUTDOWN_DRAIN_MS) {
    problems.push(
      `SHUTDOWN_DRAIN_MS must be a whole number of milliseconds from 0 to ${MAX_SHUTDOWN_DRAIN_MS}`,
    );
    return 0;
  }
  return milliseconds;
}

/** Reads the runtime section. */
export function parseRuntime({ env, production, problems }: ParseContext): RuntimeConfig {
  return {
    workers: parseWorkers(read(env, 'TOKEN_SERVER_WORKERS'), problems),
    shutdownDrainMs: parseShutdownDrain(read(env, 'SHUTDOWN_DRAIN_MS'), production, problems),
  };
}

/** The runtime settings as printed at start-up. */
export function describeRuntime(config: RuntimeConfig): Record<string, string | number> {
  return { workers: config.workers, shutdown_drain_ms: config.shutdownDrainMs };
}
