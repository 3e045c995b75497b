import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { freshDataDir } from './fixtures';

// Process tests run the built JavaScript: the root `pretest` script runs `npm run build` first.
export const REPO_ROOT = resolve(__dirname, '..', '..');
export const SERVER_ENTRY = join(REPO_ROOT, 'server', 'dist', 'index.js');
export const CLI_ENTRY = join(REPO_ROOT, 'client-cli', 'dist', 'cli.js');

/** Longest a process may take before a test kills it and fails. */
export const PROCESS_TIMEOUT_MS = 15_000;

/** Fails loudly, rather than skipping, when the build is missing. */
export function requireBuilt(entry: string): void {
  if (!existsSync(entry)) {
    throw new Error(`${entry} is missing: run \`npm run build\` (npm test does it first).`);
  }
}

/**
 * A minimal environment: nothing from the developer's shell (LIVEKIT_*, TOKEN_SERVER_*,
 * NODE_ENV=test from jest) leaks into the processes under test.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // A free port for each server's metrics listener: the default 9464 would be shared by every
  // server the tests run at once.
  // Moderation state in a fresh folder, never ./data of the checkout.
  return { PATH: process.env.PATH ?? '', METRICS_PORT: '0', DATA_DIR: freshDataDir(), ...extra };
}

/** How a finished process ended and what it printed. */
export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A process that is still running, with what it printed so far. */
export interface RunningProcess {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Resolves when the process exits; kills it and rejects after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<ProcessResult>;
}

/** Starts a process with piped output. */
export function startProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv },
): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<ProcessResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolvePromise({ exitCode, signal, stdout, stderr }));
  });
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited: (timeoutMs = PROCESS_TIMEOUT_MS) =>
      new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${command} ${args.join(' ')} ran over ${timeoutMs} ms: ${stderr}`));
        }, timeoutMs);
        closed.then(
          (result) => {
            clearTimeout(timer);
            resolvePromise(result);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }),
  };
}

/** Runs a command to completion, failing if it outlives `timeoutMs`. */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv },
  timeoutMs = PROCESS_TIMEOUT_MS,
): Promise<ProcessResult> {
  return startProcess(command, args, options).exited(timeoutMs);
}

/**
 * Runs the built request-token CLI with `node` in `cwd`, with a clean environment plus
 * `env`; a .env in `cwd` is read as users' would be.
 */
export function runRequestToken(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<ProcessResult> {
  return runProcess(process.execPath, [CLI_ENTRY, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
  });
}

/** A server process listening on a loopback port. */
export interface RunningServer extends RunningProcess {
  url: string;
  port: number;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<ProcessResult>;
}

/**
 * Starts the real token server on 127.0.0.1 and an ephemeral port, and resolves once it
 * prints where it listens.
 */
export async function startServer(
  env: Record<string, string> = {},
  cwd = REPO_ROOT,
): Promise<RunningServer> {
  requireBuilt(SERVER_ENTRY);
  const running = startProcess(process.execPath, [SERVER_ENTRY], {
    cwd,
    env: cleanEnv({ TOKEN_SERVER_HOST: '127.0.0.1', TOKEN_SERVER_PORT: '0', ...env }),
  });
  const port = await new Promise<number>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      running.child.kill('SIGKILL');
      reject(new Error(`the server did not start: ${JSON.stringify(running.output())}`));
    }, PROCESS_TIMEOUT_MS);
    const check = () => {
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(running.output().stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        running.child.stdout?.off('data', check);
        resolvePromise(Number(match[1]));
      }
    };
    running.child.stdout?.on('data', check);
    running.child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the server exited at start-up: ${JSON.stringify(running.output())}`));
    });
  });
  return {
    ...running,
    port,
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      running.child.kill('SIGTERM');
      return running.exited();
    },
  };
}

/** The parent pid of a running process, from /proc; undefined when there is no such process. */
function parentPidOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^PPid:\s+(\d+)$/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/**
 * Sends `signal` to `pid` only if it is a child of `parentPid`. A pid read from a process's
 * output may be missing or stale: `process.kill(0)` signals our own process group (jest
 * included), and a reused pid belongs to someone else. Throws rather than signal either.
 */
export function signalChildOf(
  parentPid: number | undefined,
  pid: number | undefined,
  signal: NodeJS.Signals,
): void {
  if (parentPid === undefined || !Number.isInteger(parentPid) || parentPid <= 0) {
    throw new Error(`no parent process to signal a child of (pid ${String(parentPid)})`);
  }
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) {
    throw new Error(`refusing to signal pid ${String(pid)}: not a process id`);
  }
  const parent = parentPidOf(pid);
  if (parent !== parentPid) {
    throw new Error(
      `refusing to signal pid ${pid}: its parent is ${String(parent)}, not ${parentPid}`,
    );
  }
  process.kill(pid, signal);
}

/** A loopback port that nothing listens on (bound once, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') resolvePromise(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
