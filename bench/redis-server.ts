// The redis-server that ours-redis keeps its budgets in: started by the bench on a free
// loopback port with persistence off, as the tests start theirs, and stopped at the end or
// on any way out. Also asks it which commands it has run and how many reads it has had,
// through Redis' inline protocol.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import path from 'node:path';
import { processTreeCpuSeconds } from './process-cpu';

/** Longest redis-server may take to start, to exit after SIGTERM, or to answer, in ms. */
const REDIS_STEP_TIMEOUT_MS = 10_000;

/** What a redis-server has done since it started, from one INFO. */
export interface RedisStats {
  /** Calls per command, e.g. `evalsha` → 41234 (commandstats), commands run by scripts included. */
  commandCalls: Map<string, number>;
  /**
   * Read events on client sockets (stats' `total_reads_processed`): a client's request, or a
   * pipeline of them written at once, is one read, so with one request in flight at a time
   * this counts round trips. The INFO that asked counts one, and its connection's close one.
   */
  readsProcessed: number;
}

/** A redis-server of the bench's own. */
export interface BenchRedis {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  /** CPU time (user + system) it has used so far, in seconds. */
  cpuSeconds(): number;
  /** Calls per command and read events since it started (INFO all). */
  stats(): Promise<RedisStats>;
  /** Sends SIGTERM and waits for the exit (SIGKILL after a timeout). */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** The redis-server executable on PATH (Debian's is /usr/bin/redis-server), if any. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const directory of (env.PATH ?? '').split(path.delimiter)) {
    if (directory === '') continue;
    const candidate = path.join(directory, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not there, or not executable: try the next directory.
    }
  }
  return undefined;
}

/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * What redis-server has done since it started, from INFO all (commandstats and stats). Settles
 * once the connection is closed, so that its close is read before the next INFO is answered.
 */
function readStats(port: number): Promise<RedisStats> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let answer = '';
    let stats: RedisStats | undefined;
    socket.setTimeout(REDIS_STEP_TIMEOUT_MS, () =>
      socket.destroy(new Error('redis-server did not answer INFO')),
    );
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      // A bulk string: `$<length>\r\n<text>\r\n`; the text is ASCII, so length in characters.
      const header = /^\$(\d+)\r\n/.exec(answer);
      if (header?.[1] === undefined || answer.length < header[0].length + Number(header[1])) {
        return;
      }
      const commandCalls = new Map<string, number>();
      for (const [, command, count] of answer.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        if (command !== undefined) commandCalls.set(command, Number(count));
      }
      const reads = /^total_reads_processed:(\d+)/m.exec(answer)?.[1];
      stats = { commandCalls, readsProcessed: reads === undefined ? NaN : Number(reads) };
      socket.end();
    });
    socket.once('error', reject);
    socket.once('close', () =>
      stats === undefined
        ? reject(new Error(`redis-server closed INFO: ${answer}`))
        : resolve(stats),
    );
    // Redis' inline protocol: a command as one line of text.
    socket.write('INFO all\r\n');
  });
}

/**
 * Starts `executable` on 127.0.0.1 on a free port, with no snapshots and no append-only
 * file, in `workingDirectory`, and resolves once it accepts connections.
 */
export async function startRedisServer(
  executable: string,
  workingDirectory: string,
): Promise<BenchRedis> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(executable, args, {
    cwd: workingDirectory,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not start on port ${port}: ${output}`));
    }, REDIS_STEP_TIMEOUT_MS);
    const collect = (chunk: Buffer): void => {
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
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited at start-up on port ${port}: ${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    cpuSeconds: () => processTreeCpuSeconds(child.pid),
    stats: () => readStats(port),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), REDIS_STEP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Last resort on process exit: kill every redis-server still running, synchronously. */
export function killAllRedisServers(): void {
  for (const child of running) child.kill('SIGKILL');
}
