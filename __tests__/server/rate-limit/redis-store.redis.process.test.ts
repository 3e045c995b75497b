import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../support/processes';
import {
  describeWithRedis,
  startRedis,
  stopAllRedis,
  type RunningRedis,
} from '../../support/redis';

/** Longest one request may take: far above the 250 ms Redis time-out, far below a hang. */
const REQUEST_TIMEOUT_MS = 2_000;
/** Longest the tests wait for a server to log a line. */
const LOG_WAIT_MS = 10_000;

const PASSWORD = 'redis-password-never-printed';
const credentials = {
  LIVEKIT_API_KEY: 'APIkey',
  LIVEKIT_API_SECRET: 'a-long-enough-secret-of-32-characters!!',
};
const body = JSON.stringify({
  user_email: 'ada@example.com',
  full_name: 'Ada Lovelace',
  room_name: 'lab',
});

function postToken(server: RunningServer): Promise<Response> {
  return fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

/** Waits until the server has printed a line matching `pattern` on stdout or stderr. */
async function untilLogged(server: RunningServer, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + LOG_WAIT_MS;
  while (!pattern.test(Object.values(server.output()).join('\n'))) {
    if (Date.now() > deadline) {
      throw new Error(`no line matched ${pattern}: ${JSON.stringify(server.output())}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The server's JSON log lines on stderr (warnings and errors). */
function problemLines(server: RunningServer): Array<{ level: string; message: string }> {
  return server
    .output()
    .stderr.split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: string; message: string });
}

describeWithRedis()('two server processes with REDIS_URL on one Redis', () => {
  let redis: RunningRedis;
  let directory: string;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    redis = await startRedis({ password: PASSWORD });
    directory = mkdtempSync(join(tmpdir(), 'redis-url-'));
    const urlFile = join(directory, 'redis-url');
    writeFileSync(urlFile, `${redis.url}\n`);
    const env = { ...credentials, RATE_LIMIT_PER_MINUTE: '2' };
    // One reads the URL from the environment, the other from a secret file.
    servers.push(await startServer({ ...env, REDIS_URL: redis.url }));
    servers.push(await startServer({ ...env, REDIS_URL_FILE: urlFile }));
    await Promise.all(
      servers.map((server) => untilLogged(server, /shared across instances through Redis/)),
    );
  });

  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    await stopAllRedis();
    rmSync(directory, { recursive: true, force: true });
  });

  it('print the Redis URL without its password', () => {
    for (const server of servers) {
      const { stdout, stderr } = server.output();
      expect(stdout).toContain(`"redis_url":"redis://127.0.0.1:${redis.port}"`);
      expect(stdout + stderr).not.toContain(PASSWORD);
    }
  });

  it('spend one budget per caller: the third request, to the second process, gets 429', async () => {
    const [first, second] = servers as [RunningServer, RunningServer];
    expect((await postToken(first)).status).toBe(200);
    expect((await postToken(second)).status).toBe(200);
    const limited = await postToken(second);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit')).toMatch(/^"token"; r=0; t=\d+$/);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect((await postToken(first)).status).toBe(429);
  });

  it('once Redis is killed, limit each in memory, refuse tokens with 503 MODERATION_UNAVAILABLE (bans live there too), and warn once each', async () => {
    redis.signal('SIGKILL');
    for (const server of servers) {
      const answers: string[] = [];
      for (let attempt = 0; attempt < 4; attempt += 1) {
        const response = await postToken(server);
        const { error } = (await response.json()) as { error?: { code: string } };
        answers.push(`${response.status} ${error?.code ?? ''}`);
      }
      // A share of the budget of 2 in each process's memory (REDIS_FALLBACK_SHARE, 0.1
      // rounded up to 1): never no limit, and never a whole budget per process. What the
      // share lets through meets moderation, which refuses rather than miss a ban.
      expect(answers).toEqual([
        '503 MODERATION_UNAVAILABLE',
        '429 RATE_LIMITED',
        '429 RATE_LIMITED',
        '429 RATE_LIMITED',
      ]);
    }
    // Reconnection attempts keep failing meanwhile: still one warning.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const server of servers) {
      expect(problemLines(server)).toEqual([
        // At start-up: the tests' Redis persists nothing, which bans need.
        expect.objectContaining({
          level: 'warn',
          message: expect.stringMatching(/^Redis \(REDIS_URL\) persists nothing.*appendonly yes$/),
        }),
        expect.objectContaining({
          level: 'warn',
          message: expect.stringMatching(/^Redis does not answer/),
          redis_url: `redis://127.0.0.1:${redis.port}`,
        }),
      ]);
      expect(server.output().stderr).not.toContain(PASSWORD);
    }
  });
});
