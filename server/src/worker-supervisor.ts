// The primary process when TOKEN_SERVER_WORKERS is above 1: it forks the workers that
// serve on one shared port (node:cluster), replaces a worker that dies (after a growing
// pause, and says so), gives up with a non-zero exit when workers keep dying, and on
// SIGTERM/SIGINT has every worker drain and stop as a single process does.
import cluster, { type Worker } from 'node:cluster';

/** How the supervisor behaves; tests shorten the pauses. */
export interface SupervisorOptions {
  workers: number;
  /** The pause before replacing the first dead worker, doubled for each further one. */
  initialRestartDelayMs: number;
  /** The longest pause before a replacement. */
  maxRestartDelayMs: number;
  /** Deaths within `crashWindowMs` that make the primary give up. */
  maxCrashes: number;
  crashWindowMs: number;
  /** How long workers get to drain and stop after a signal before they are killed. */
  stopTimeoutMs: number;
  /** Where the supervisor's own lines go (JSON lines on stderr in real use). */
  report: (level: 'info' | 'warn' | 'error', message: string, fields?: object) => void;
}

export const DEFAULT_SUPERVISOR_OPTIONS: Omit<
  SupervisorOptions,
  'workers' | 'stopTimeoutMs' | 'report'
> = {
  initialRestartDelayMs: 1_000,
  maxRestartDelayMs: 30_000,
  maxCrashes: 5,
  crashWindowMs: 60_000,
};

/**
 * Runs the primary: forks the workers and watches them until the process exits. A worker
 * exiting while no stop was asked for is a crash.
 */
export function superviseWorkers(options: SupervisorOptions): void {
  // The workers accept connections themselves, from the one listening socket, rather than
  // the primary accepting and handing each on (round-robin, Node's default on Linux). In
  // round-robin the primary went on accepting while the workers drained, and reset what it
  // still held when the last one stopped: 1 to 12 requests already sent, in 5 of 8 stops.
  // Accepting themselves, each worker stops as a single process does, losing none.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let stopping = false;
  /** True once a worker failed to drain cleanly: the primary's exit code says so too. */
  let stopFailed = false;
  const crashTimes: number[] = [];
  let restartDelayMs = options.initialRestartDelayMs;

  const fork = (): Worker => {
    const worker = cluster.fork();
    options.report('info', 'worker started', { worker_pid: worker.process.pid });
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      // Ended by our SIGTERM itself: a worker still starting, with nothing in flight yet.
      if (code !== 0 && signal !== 'SIGTERM') stopFailed = true;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(stopFailed ? 1 : 0);
      return;
    }
    const now = Date.now();
    crashTimes.push(now);
    while (crashTimes.length > 0 && (crashTimes[0] ?? now) < now - options.crashWindowMs) {
      crashTimes.shift();
    }
    options.report('warn', 'worker exited unexpectedly', {
      worker_pid: worker.process.pid,
      exit_code: code,
      signal,
    });
    if (crashTimes.length >= options.maxCrashes) {
      options.report('error', 'workers keep dying: giving up', {
        crashes: crashTimes.length,
        window_ms: options.crashWindowMs,
      });
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGKILL');
      process.exit(1);
    }
    const delay = restartDelayMs;
    restartDelayMs = Math.min(options.maxRestartDelayMs, restartDelayMs * 2);
    options.report('info', 'replacing the worker', { delay_ms: delay });
    // Not unref'd: with every worker dead, this timer is what keeps the primary alive.
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  cluster.on('listening', (worker) => {
    // Said per worker: requests reach a worker only from here on.
    options.report('info', 'worker listening', { worker_pid: worker.process.pid });
    // A worker that has served for a whole crash window has shown the crashes were passing.
    setTimeout(() => {
      if (crashTimes.length === 0) restartDelayMs = options.initialRestartDelayMs;
    }, options.crashWindowMs).unref();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    options.report('info', `received ${signal}: draining every worker, then exiting`);
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      options.report('error', 'workers did not stop in time; killing them');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }, options.stopTimeoutMs).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  for (let index = 0; index < options.workers; index += 1) fork();
}
