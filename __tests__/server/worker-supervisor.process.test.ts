import { createServer, type Server } from 'node:net';
import {
  startProcess,
  startServer,
  SERVER_ENTRY,
  cleanEnv,
  signalChildOf,
  type RunningServer,
} from '../support/processes';

const credentials = {
  LIVEKIT_API_KEY: 'APIworkers',
  LIVEKIT_API_SECRET: 'a-secret-of-at-least-32-characters-for-workers',
};
const body = JSON.stringify({ user_email: 'ada@example.com', full_name: 'Ada Lovelace' });

/** POST /token on a new connection each time, so that requests spread over the workers. */
async function postToken(url: string): Promise<number> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Connection: 'close' },
    body,
  });
  await response.text();
  return response.status;
}

/** The pids of the workers the primary reported, in order: started, or listening. */
function workerPids(stdout: string, message = 'worker started'): number[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { message?: string; worker_pid?: number })
    .filter((line) => line.message === message)
    .flatMap((line) => (line.worker_pid === undefined ? [] : [line.worker_pid]));
}

/**
 * Waits until `count` workers have said they listen: the primary announces the port when
 * the first one does, and a request while none listens is refused.
 */
async function untilListening(server: RunningServer, count: number): Promise<void> {
  for (let wait = 0; wait < 200; wait += 1) {
    if (workerPids(server.output().stdout, 'worker listening').length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${count} workers listening: ${JSON.stringify(server.output())}`);
}

describe('the server process with TOKEN_SERVER_WORKERS=2', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({
      ...credentials,
      TOKEN_SERVER_WORKERS: '2',
      RATE_LIMIT_PER_MINUTE: '4',
    });
    await untilListening(server, 2);
  });

  afterAll(() => {
    server.child.kill('SIGKILL');
  });

  it('announces one listening port and starts two workers', () => {
    const { stdout } = server.output();
    expect(stdout.match(/listening on http/g)).toHaveLength(1);
    expect(workerPids(stdout)).toHaveLength(2);
  });

  it('spends one budget per caller across the workers (the primary keeps it)', async () => {
    const statuses: number[] = [];
    for (let request = 0; request < 8; request += 1) statuses.push(await postToken(server.url));
    expect(statuses.filter((status) => status === 200)).toHaveLength(4);
    expect(statuses.filter((status) => status === 429)).toHaveLength(4);
  });

  it('replaces a worker that dies, says so, and keeps serving', async () => {
    const [first] = workerPids(server.output().stdout);
    // Only the primary's own worker: never a pid that is missing, stale or someone else's.
    signalChildOf(server.child.pid, first, 'SIGKILL');
    for (let wait = 0; wait < 100 && workerPids(server.output().stdout).length < 3; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(workerPids(server.output().stdout)).toHaveLength(3);
    expect(server.output().stderr).toMatch(/"message":"worker exited unexpectedly"/);
    // The replacement listens too, beside the worker that never stopped.
    await untilListening(server, 3);
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
  });

  it('drains every worker on SIGTERM to the primary and exits 0', async () => {
    const result = await server.stop();
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toMatch(/did not stop in time/);
  });
});

describe('the server process with TOKEN_SERVER_WORKERS=2 whose workers keep dying', () => {
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    // Something else holds the port: every worker fails to listen and exits.
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => blocker.close(resolve));
  });

  it('gives up with a non-zero exit, saying why', async () => {
    const running = startProcess(process.execPath, [SERVER_ENTRY], {
      env: cleanEnv({
        ...credentials,
        TOKEN_SERVER_HOST: '127.0.0.1',
        TOKEN_SERVER_PORT: String(port),
        TOKEN_SERVER_WORKERS: '2',
      }),
    });
    const result = await running.exited(40_000);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/already in use/);
    expect(result.stderr).toMatch(/"message":"workers keep dying: giving up"/);
  }, 60_000);
});
