import { startServer, type RunningServer } from '../../support/processes';

const credentials = {
  LIVEKIT_API_KEY: 'APIworkers',
  LIVEKIT_API_SECRET: 'a-secret-of-at-least-32-characters-for-workers',
};
const body = JSON.stringify({ user_email: 'ada@example.com', full_name: 'Ada Lovelace' });

/** POST /token as the client at `address`, on a new connection: workers take turns. */
async function tokenFrom(server: RunningServer, address: string): Promise<number> {
  const response = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Connection: 'close',
      'X-Forwarded-For': address,
    },
    body,
  });
  await response.text();
  return response.status;
}

/** Waits until `count` workers have said they listen. */
async function untilListening(server: RunningServer, count: number): Promise<void> {
  for (let wait = 0; wait < 200; wait += 1) {
    if ((server.output().stdout.match(/"message":"worker listening"/g) ?? []).length >= count)
      return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${count} workers listening: ${JSON.stringify(server.output())}`);
}

describe('the server process with two workers and RATE_LIMIT_MAX_CALLERS=50', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({
      ...credentials,
      TOKEN_SERVER_WORKERS: '2',
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_PER_MINUTE: '1',
      RATE_LIMIT_MAX_CALLERS: '50',
    });
    await untilListening(server, 2);
  });

  afterAll(() => {
    server.child.kill('SIGKILL');
  });

  it('spends one budget per caller across the workers', async () => {
    expect(await tokenFrom(server, '198.51.100.1')).toBe(200);
    expect(await tokenFrom(server, '198.51.100.1')).toBe(429);
    expect(await tokenFrom(server, '198.51.100.1')).toBe(429);
  });

  it('tracks at most 50 callers in the primary, whichever worker saw them', async () => {
    // 60 more callers, spread over both workers: about 30 each, under the cap in either.
    for (let caller = 10; caller < 70; caller += 1) {
      expect(await tokenFrom(server, `198.51.100.${caller}`)).toBe(200);
    }
    // The first caller's window began longest ago: the primary forgot it to make room, so it
    // starts a new window. Capped per worker, the primary held all 61, and this was a 429.
    expect(await tokenFrom(server, '198.51.100.1')).toBe(200);
    // The newest callers are still tracked.
    expect(await tokenFrom(server, '198.51.100.69')).toBe(429);
  });
});
