import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { freePort } from './processes';

/** Where Debian's redis-server package (installed by .ci/run) puts the server. */
export const REDIS_SERVER_PATH = '/usr/bin/redis-server';

/** Set to 1 (CI does) to fail, rather than skip, when redis-server is missing. */
export const REQUIRE_REDIS_TESTS = 'REQUIRE_REDIS_TESTS';

/** Longest redis-server may take to start or to exit, in milliseconds. */
const REDIS_STEP_TIMEOUT_MS = 10_000;

/**
 * `describe` when redis-server is installed. Without it: `describe.skip` and a warning, so
 * the skip shows in the output, or, with REQUIRE_REDIS_TESTS=1, an error that fails the suite.
 */
export function describeWithRedis(env: NodeJS.ProcessEnv = process.env): jest.Describe {
  if (existsSync(REDIS_SERVER_PATH)) return describe;
  if (env[REQUIRE_REDIS_TESTS] === '1') {
    throw new Error(
      `${REDIS_SERVER_PATH} is missing and ${REQUIRE_REDIS_TESTS}=1: install Debian's ` +
        'redis-server package (apt-get install redis-server), as .ci/run does.',
    );
  }
  console.warn(
    `SKIPPING the Redis tests: ${REDIS_SERVER_PATH} is missing. Install Debian's redis-server ` +
      `package to run them (CI sets ${REQUIRE_REDIS_TESTS}=1, so they never skip there).`,
  );
  return describe.skip;
}

/** A redis-server process of the tests' own. */
export interface RunningRedis {
  port: number;
  /** `redis://127.0.0.1:<port>`, or with `:<password>@` when started with one. */
  url: string;
  /** Sends a signal: SIGKILL crashes it, SIGSTOP hangs it, SIGCONT resumes it. */
  signal(signal: NodeJS.Signals): void;
  /** Kills it (it may be paused) and waits for the exit. */
  stop(): Promise<void>;
}

/** Every redis-server started here and not yet exited, for stopAllRedis. */
const running = new Set<ChildProcess>();

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = exitOf(child);
  // SIGKILL works on a paused (SIGSTOP) process too.
  child.kill('SIGKILL');
  await exited;
}

/**
 * Starts redis-server on 127.0.0.1 with persistence off, on a free port or on `port` (to
 * restart one in the place of another), and resolves once it accepts connections.
 */
export async function startRedis(
  options: { port?: number; password?: string } = {},
): Promise<RunningRedis> {
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  const child = spawn(REDIS_SERVER_PATH, args, {
    cwd: tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start on port ${port}: ${output}`));
    }, REDIS_STEP_TIMEOUT_MS);
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', collect);
        // Keeps draining its output, so that a full pipe never blocks it.
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited at start-up on port ${port}: ${output}`));
    });
  });
  const credentials = options.password === undefined ? '' : `:${options.password}@`;
  return {
    port,
    url: `redis://${credentials}127.0.0.1:${port}`,
    signal: (signal) => child.kill(signal),
    stop: () => kill(child),
  };
}

/** Kills every redis-server the tests started that still runs; for afterAll. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...running].map(kill));
}

/** A TCP server that accepts connections and never answers: a Redis that hangs. */
export interface SilentServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts a server that takes connections on 127.0.0.1 and says nothing, ever. */
export function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Reads and drops everything, so that the client's writes never stall.
    socket.resume();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('no port'));
        return;
      }
      resolve({
        port: address.port,
        url: `redis://127.0.0.1:${address.port}`,
        close: () =>
          new Promise((resolveClose) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => resolveClose());
          }),
      });
    });
  });
}
