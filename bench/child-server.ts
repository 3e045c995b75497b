import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processTreeCpuSeconds } from './process-cpu';

/** How long a server may take to print its listening line. */
const START_TIMEOUT_MS = 20_000;
/** How often the output file is read while waiting for the listening line. */
const START_POLL_MS = 50;
/** How long a server may take to exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 5_000;
/** Keep this much of a child's stderr, to show when it misbehaves. */
const STDERR_TAIL_BYTES = 4096;

/** A server under test, running in its own process on loopback. */
export interface ChildServer {
  /** Label used in the report, e.g. `ours`. */
  name: string;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** JSON lines the server wrote to stdout (ours: one access-log line per request). */
  jsonLines(): number;
  /** The last few KB of stderr. */
  stderrTail(): string;
  /** CPU time (user + system) the process and its workers have used so far, in seconds. */
  cpuSeconds(): number;
  /** Exit code or signal once it has exited, while running `undefined`. */
  exited(): string | undefined;
  /** Sends SIGTERM, waits for the exit (SIGKILL after a timeout) and returns how it ended. */
  stop(): Promise<string>;
}

const running = new Set<ChildProcess>();
const outputDirectory = mkdtempSync(path.join(os.tmpdir(), 'token-bench-'));

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

/**
 * Spawns a server and resolves once it prints `listening on http://127.0.0.1:<port>`.
 * Its stdout goes to a file, as a log collector would take it: a pipe read by this busy
 * process would fill up and stall the server's (synchronous) log writes, which measures
 * the bench rather than the server.
 */
export function startChildServer(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ChildServer> {
  const outputFile = path.join(outputDirectory, `${name}.out`);
  // Appends: a cluster primary and its workers all write to this one file.
  const outputFd = openSync(outputFile, 'a');
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', outputFd, 'pipe'] });
  closeSync(outputFd);
  running.add(child);
  let exit: string | undefined;
  const exitedPromise = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = describeExit(code, signal);
      running.delete(child);
      resolve(exit);
    });
  });

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
  });

  let url: string | undefined;
  const server: ChildServer = {
    name,
    get url() {
      return url ?? '';
    },
    jsonLines: () =>
      readFileSync(outputFile, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{')).length,
    stderrTail: () => stderr,
    cpuSeconds: () => processTreeCpuSeconds(child.pid),
    exited: () => exit,
    async stop() {
      if (exit !== undefined) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const how = await exitedPromise;
      clearTimeout(timer);
      return how;
    },
  };

  return new Promise<ChildServer>((resolve, reject) => {
    const startedAt = Date.now();
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(
        readFileSync(outputFile, 'utf8'),
      );
      if (match?.[1]) {
        clearInterval(poll);
        url = match[1];
        resolve(server);
      } else if (exit !== undefined || Date.now() - startedAt > START_TIMEOUT_MS) {
        clearInterval(poll);
        void server.stop();
        reject(new Error(`${name}: did not start (${exit ?? 'timed out'})\n${stderr}`));
      }
    }, START_POLL_MS);
    child.once('error', (error) => {
      clearInterval(poll);
      reject(new Error(`${name}: ${error.message}`));
    });
  });
}

/** Last resort on process exit: kill whatever is still running, synchronously. */
export function killAllChildServers(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * An empty directory of the bench's own (it holds only the servers' output files), for a
 * server to run in without picking up a developer's `.env`.
 */
export function scratchDirectory(): string {
  return outputDirectory;
}

/** Removes the servers' output files. */
export function removeServerOutput(): void {
  rmSync(outputDirectory, { recursive: true, force: true });
}
