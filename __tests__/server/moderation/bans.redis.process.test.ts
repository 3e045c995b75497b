// Bans and caps across two real server processes on one Redis: a ban made through one is
// refused by the other at once, and the last seat goes to one of them only.
import { startServer, type RunningServer } from '../../support/processes';
import {
  describeWithRedis,
  startRedis,
  stopAllRedis,
  type RunningRedis,
} from '../../support/redis';

const KEY = 'moderator-key-cccccccccccccccccccccccccccc';
let redis: RunningRedis;
let servers: RunningServer[] = [];

function call(server: RunningServer, method: string, path: string, body?: unknown) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function codeOf(response: Response): Promise<string | undefined> {
  const body = (await response.json()) as { error?: { code: string } };
  return body.error?.code;
}

describeWithRedis()('two server processes with REDIS_URL, moderating together', () => {
  beforeAll(async () => {
    redis = await startRedis();
    const env = {
      AUTH_MODE: 'api-key',
      TOKEN_SERVER_API_KEYS: KEY,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `bans-${process.pid}:`,
      // Margins no loaded machine runs out of (moderation waits four times this).
      REDIS_TIMEOUT_MS: '2000',
    };
    servers = await Promise.all([startServer(env), startServer(env)]);
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await stopAllRedis();
  });

  it('refuses on the second a ban made through the first, and lifts it on both', async () => {
    const [first, second] = servers as [RunningServer, RunningServer];
    const made = await call(first, 'POST', '/bans', { identity: 'mallory' });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as { id: string };
    const refused = await call(second, 'POST', '/token', {
      user_id: 'mallory',
      full_name: 'M',
      room_name: 'any-room',
    });
    expect(refused.status).toBe(403);
    expect(await codeOf(refused)).toBe('BANNED');
    expect((await call(second, 'DELETE', `/bans/${id}`)).status).toBe(204);
    const again = await call(first, 'POST', '/token', {
      user_id: 'mallory',
      full_name: 'M',
      room_name: 'any-room',
    });
    expect(again.status).toBe(200);
  });

  it('gives the last 3 seats of a room to 3 of 20 requests racing across both', async () => {
    const [first] = servers as [RunningServer, RunningServer];
    expect((await call(first, 'PUT', '/rooms/stage', { max_participants: 3 })).status).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        call(servers[index % 2] as RunningServer, 'POST', '/token', {
          user_id: `guest-${index}`,
          full_name: `Guest ${index}`,
          room_name: 'stage',
        }).then(async (response) => `${response.status} ${(await codeOf(response)) ?? ''}`),
      ),
    );
    expect(answers.filter((answer) => answer.startsWith('200'))).toHaveLength(3);
    expect(answers.filter((answer) => answer === '409 ROOM_FULL')).toHaveLength(17);
  });
});
