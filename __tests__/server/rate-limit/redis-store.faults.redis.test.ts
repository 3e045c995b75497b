import Redis from 'ioredis';
import request from 'supertest';
import { createApp, lifecycleOf } from '../../../server/src/app';
import type { Logger } from '../../../server/src/logger';
import { testConfig } from '../../support/fixtures';
import {
  freshPrefix,
  levelLogger,
  STORE_WAIT_MS,
  statusOf,
  untilStore,
  type App,
  moderationInSqlite,
} from '../../support/redis-app';
import {
  describeWithRedis,
  startRedis,
  stopAllRedis,
  type RunningRedis,
} from '../../support/redis';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';

const BUDGET = 10;
const body = { user_email: 'ada@example.com', full_name: 'Ada Lovelace', room_name: 'lab' };
const apps: App[] = [];

function appOn(
  url: string,
  prefix: string,
  logger: Logger = levelLogger(),
  settings: Record<string, string> = {},
): App {
  const config = testConfig({
    RATE_LIMIT_PER_MINUTE: String(BUDGET),
    REDIS_URL: url,
    REDIS_KEY_PREFIX: prefix,
    TRUST_PROXY: 'loopback',
    ...settings,
  });
  const app = createApp(config, { logger, ...moderationInSqlite(config) });
  apps.push(app);
  return app;
}

/** POST /token as the client at `address`; answers its status and the budget left. */
async function tokenFor(app: App, address: string): Promise<{ status: number; left: number }> {
  const response = await request(app)
    .post('/token')
    .set('X-Forwarded-For', address)
    .timeout(5_000)
    .send(body);
  const left = /r=(\d+)/.exec(String(response.headers.ratelimit))?.[1];
  return { status: response.status, left: Number(left) };
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => lifecycleOf(app).close()));
});

afterAll(stopAllRedis);

describeWithRedis()('the Redis store, faults on the way to Redis', () => {
  let redis: RunningRedis;
  let proxy: TcpProxy;

  beforeEach(async () => {
    redis = await startRedis();
    proxy = await startTcpProxy(redis.port, (port) => `redis://127.0.0.1:${port}`);
  });

  afterEach(async () => {
    await proxy.close();
    await redis.stop();
  });

  describe('when a reply is lost on the way', () => {
    it('makes the connection anew, and charges each caller its own requests again', async () => {
      const prefix = freshPrefix();
      const logger = levelLogger();
      const app = appOn(proxy.url, prefix, logger);
      await untilStore(app, 'redis');
      for (let spent = 0; spent < 3; spent += 1) await tokenFor(app, '203.0.113.1');
      await tokenFor(app, '203.0.113.2');

      proxy.dropNextReply();
      // Its reply lost, this call times out; until the connection is made anew, every later
      // reply would be taken for the call before it.
      await tokenFor(app, '203.0.113.1');
      const answersAgain = () =>
        logger.lines.some(({ message }) => message.startsWith('Redis answers again'));
      const deadline = Date.now() + STORE_WAIT_MS;
      while (!(answersAgain() && statusOf(app).store === 'redis')) {
        if (Date.now() > deadline) throw new Error(`stuck: ${JSON.stringify(statusOf(app))}`);
        await tokenFor(app, '203.0.113.2');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(proxy.dropped()).toBe(1);

      // Back on Redis: what each caller has left is what Redis counted for that caller.
      const redisClient = new Redis(redis.url);
      try {
        for (const address of ['203.0.113.1', '203.0.113.2']) {
          const counted = Number(await redisClient.get(`${prefix}token:ip:${address}`));
          const next = await tokenFor(app, address);
          expect({ address, left: next.left }).toEqual({
            address,
            left: Math.max(0, BUDGET - counted - 1),
          });
        }
      } finally {
        redisClient.disconnect();
      }
      expect(logger.lines.filter(({ level }) => level === 'warn')).toEqual([
        expect.objectContaining({
          fields: expect.objectContaining({ reason: 'Command timed out' }),
        }),
      ]);
    });
  });

  describe('when one reply comes late', () => {
    it('counts that request in memory, and stays on Redis without a warning', async () => {
      const logger = levelLogger();
      // Margins wide enough for a loaded machine: the late reply is four timeouts late, and
      // an undelayed loopback reply has a whole second.
      const app = appOn(proxy.url, freshPrefix(), logger, { REDIS_TIMEOUT_MS: '1000' });
      await untilStore(app, 'redis');
      proxy.delayReplies(4_000);
      expect((await tokenFor(app, '203.0.113.1')).status).toBe(200);
      proxy.delayReplies(0);
      // The late reply arrives meanwhile; the next calls are answered in time.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect((await tokenFor(app, '203.0.113.1')).status).toBe(200);
      expect(statusOf(app)).toMatchObject({ store: 'redis', redisReachable: true, redisErrors: 1 });
      expect(logger.lines.filter(({ level }) => level === 'warn')).toEqual([]);
    });
  });

  describe('when replies are slow but within REDIS_TIMEOUT_MS (another zone, a busy host)', () => {
    it('counts in Redis, and /readyz says ready with nothing degraded', async () => {
      // 200 ms replies against a 2 s timeout: slow for Redis, yet nowhere near a miss even on a
      // loaded machine (against the 250 ms default the margin is scheduling noise).
      const app = appOn(proxy.url, freshPrefix(), levelLogger(), { REDIS_TIMEOUT_MS: '2000' });
      await untilStore(app, 'redis');
      proxy.delayReplies(200);
      for (let call = 0; call < 3; call += 1) {
        expect((await tokenFor(app, '203.0.113.1')).status).toBe(200);
      }
      expect(statusOf(app)).toMatchObject({ store: 'redis', redisErrors: 0 });
      await request(app).get('/readyz').expect(200, { status: 'ready' });
    });
  });

  describe.each([
    ['paused (SIGSTOP)', 'SIGSTOP'],
    ['killed', 'SIGKILL'],
  ] as const)('when Redis is %s', (_label, signal) => {
    it('keeps /readyz at 200, naming redis as degraded, and clears it once Redis is back', async () => {
      const app = appOn(redis.url, freshPrefix());
      await untilStore(app, 'redis');
      redis.signal(signal);
      // Requests find out first: three calls in a row fail, or the connection drops.
      const deadline = Date.now() + STORE_WAIT_MS;
      while (statusOf(app).store !== 'memory') {
        if (Date.now() > deadline) throw new Error('still on Redis');
        await tokenFor(app, '203.0.113.1');
      }
      const ready = await request(app).get('/readyz').expect(200);
      expect(ready.body).toEqual({
        status: 'ready',
        degraded: [
          {
            field: 'redis',
            message: expect.stringMatching(/^Redis \(REDIS_URL\) does not answer/),
          },
        ],
      });
      if (signal === 'SIGSTOP') redis.signal('SIGCONT');
      else redis = await startRedis({ port: redis.port });
      const back = Date.now() + STORE_WAIT_MS;
      while (statusOf(app).store !== 'redis') {
        if (Date.now() > back) throw new Error('not back on Redis');
        await tokenFor(app, '203.0.113.1');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await request(app).get('/readyz').expect(200, { status: 'ready' });
    });
  });
});
