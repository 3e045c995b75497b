import { startServer, type RunningServer } from '../support/processes';
import { pipelined, rawGet, type CountingConnection } from '../support/raw-http';

/** The production settings the review attacked with: no credentials needed for /healthz. */
const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_MODE: 'api-key',
  TOKEN_SERVER_API_KEYS: 'caller-key-cccccccccccccccccccccccccccccc',
  LIVEKIT_API_KEY: 'APIproduction',
  LIVEKIT_API_SECRET: 'production-secret-0123456789abcdefghijklmnop',
  METRICS_PORT: 'off',
};

/** Longest a probe may wait: a hang bound, far above a normal answer's few milliseconds. */
const PROBE_TIMEOUT_MS = 5_000;

describe('the server process beside 32 connections flooding it with pipelined requests', () => {
  let server: RunningServer;
  const floods: CountingConnection[] = [];

  beforeAll(async () => {
    server = await startServer(PRODUCTION);
    const burst = rawGet('/healthz').repeat(2_000);
    // Each writes 2,000 requests (66 KB) at once, and more whenever answers come back.
    for (let connection = 0; connection < 32; connection += 1) {
      floods.push(pipelined(server.port, burst, (answered) => rawGet('/healthz').repeat(answered)));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  });

  afterAll(() => {
    for (const flood of floods) flood.socket.destroy();
    server.child.kill('SIGKILL');
  });

  it('answers every probe of another client (was: 0 of 8 within 5 s)', async () => {
    const statuses: Array<number | string> = [];
    for (let probe = 0; probe < 8; probe += 1) {
      const status = await fetch(`${server.url}/healthz`, {
        headers: { Connection: 'close' },
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      }).then(
        (response) => response.status,
        (error: unknown) => (error instanceof Error ? error.name : String(error)),
      );
      statuses.push(status);
    }
    expect(statuses).toEqual(Array(8).fill(200));
  });

  it('closes each flooding connection, having answered few of its requests', async () => {
    await Promise.all(floods.map((flood) => flood.closed));
    const answered = floods.reduce((total, flood) => total + flood.answers(), 0);
    expect(answered).toBeLessThan(32 * 100);
  });

  it('keeps serving afterwards, as alive as before', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
  });
});
