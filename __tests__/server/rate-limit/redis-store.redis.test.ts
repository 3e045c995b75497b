import Redis from 'ioredis';
import request from 'supertest';
import { createApp, lifecycleOf } from '../../../server/src/app';
import type { Logger } from '../../../server/src/logger';
import { testConfig } from '../../support/fixtures';
import { freePort } from '../../support/processes';
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
  startSilentServer,
  stopAllRedis,
  type RunningRedis,
  type SilentServer,
} from '../../support/redis';

/**
 * Longest one request may take here: far above the 250 ms Redis time-out, far below a hang.
 * The only timing the tests assert.
 */
const REQUEST_TIMEOUT_MS = 2_000;

const body = { user_email: 'ada@example.com', full_name: 'Ada Lovelace', room_name: 'lab' };

const apps: App[] = [];

function redisApp(url: string, env: Record<string, string> = {}, logger?: Logger): App {
  const config = testConfig({
    RATE_LIMIT_PER_MINUTE: '3',
    REDIS_URL: url,
    REDIS_KEY_PREFIX: 'lkts:',
    ...env,
  });
  const app = createApp(config, {
    ...moderationInSqlite(config),
    ...(logger === undefined ? {} : { logger }),
  });
  apps.push(app);
  return app;
}

function token(app: App, forwardedFor?: string): request.Test {
  const call = request(app).post('/token').timeout(REQUEST_TIMEOUT_MS);
  if (forwardedFor !== undefined) call.set('X-Forwarded-For', forwardedFor);
  return call.send(body);
}

async function statuses(send: () => request.Test, times: number): Promise<number[]> {
  const seen: number[] = [];
  for (let attempt = 0; attempt < times; attempt += 1) seen.push((await send()).status);
  return seen;
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => lifecycleOf(app).close()));
});

afterAll(stopAllRedis);

describeWithRedis()('POST /token with REDIS_URL', () => {
  describe('with two apps on one Redis', () => {
    let redis: RunningRedis;

    beforeAll(async () => {
      redis = await startRedis();
    });

    it('spends one budget per caller across them', async () => {
      const env = { REDIS_KEY_PREFIX: freshPrefix(), TRUST_PROXY: 'loopback' };
      const [first, second] = [redisApp(redis.url, env), redisApp(redis.url, env)] as const;
      await Promise.all([untilStore(first, 'redis'), untilStore(second, 'redis')]);
      const seen = [
        (await token(first, '203.0.113.1')).status,
        (await token(second, '203.0.113.1')).status,
        (await token(first, '203.0.113.1')).status,
      ];
      expect(seen).toEqual([200, 200, 200]);
      const limited = await token(second, '203.0.113.1').expect(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect(limited.headers.ratelimit).toMatch(/^"token"; r=0; t=\d+$/);
      expect(limited.headers['ratelimit-policy']).toBe('"token"; q=3; w=60');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      await token(first, '203.0.113.1').expect(429);
      // Another caller has a budget of its own, in Redis too.
      await token(second, '203.0.113.2').expect(200);
    });

    it('tells how much of the shared budget is left', async () => {
      const env = { REDIS_KEY_PREFIX: freshPrefix() };
      const [first, second] = [redisApp(redis.url, env), redisApp(redis.url, env)] as const;
      await Promise.all([untilStore(first, 'redis'), untilStore(second, 'redis')]);
      expect((await token(first)).headers.ratelimit).toMatch(/^"token"; r=2; t=(60|59)$/);
      expect((await token(second)).headers.ratelimit).toMatch(/^"token"; r=1; t=\d+$/);
    });

    it('keeps each budget under REDIS_KEY_PREFIX, by budget and caller', async () => {
      const prefix = freshPrefix();
      const app = redisApp(redis.url, {
        REDIS_KEY_PREFIX: prefix,
        VALIDATE_RATE_LIMIT_PER_MINUTE: '5',
      });
      await untilStore(app, 'redis');
      await token(app).expect(200);
      await request(app).post('/validate').send({ token: 'a.b.c' }).expect(401);
      const client = new Redis(redis.url);
      try {
        expect((await client.keys(`${prefix}*`)).sort()).toEqual([
          `${prefix}token:ip:127.0.0.1`,
          `${prefix}validate:ip:127.0.0.1`,
        ]);
        // The window's end, in Redis: the key expires with the window.
        expect(await client.ttl(`${prefix}token:ip:127.0.0.1`)).toBeGreaterThan(50);
      } finally {
        client.disconnect();
      }
    });

    it('reports Redis as the store, and no error', async () => {
      const app = redisApp(redis.url, { REDIS_KEY_PREFIX: freshPrefix() });
      await untilStore(app, 'redis');
      await token(app).expect(200);
      expect(statusOf(app)).toEqual({
        store: 'redis',
        redisConfigured: true,
        redisReachable: true,
        redisErrors: 0,
      });
    });
  });

  describe('when Redis is killed in the middle of a run, then restarted', () => {
    it('counts in memory (no 5xx, no hang, 429 past the budget), warns once, then goes back to Redis', async () => {
      const redis = await startRedis();
      const logger = levelLogger();
      const app = redisApp(redis.url, { REDIS_KEY_PREFIX: freshPrefix() }, logger);
      await untilStore(app, 'redis');
      expect(await statuses(() => token(app), 2)).toEqual([200, 200]);

      redis.signal('SIGKILL');
      // Each request lands in memory once, whether the client saw the close yet or not: a
      // share of the budget of 3 (REDIS_FALLBACK_SHARE, 0.1 rounded up to 1), never none and
      // never a whole budget per instance.
      expect(await statuses(() => token(app), 5)).toEqual([200, 429, 429, 429, 429]);
      expect(statusOf(app)).toMatchObject({ store: 'memory', redisReachable: false });
      const warnings = logger.lines.filter(({ level }) => level === 'warn');
      expect(warnings).toEqual([
        {
          level: 'warn',
          message: expect.stringMatching(/^Redis does not answer/),
          fields: { redis_url: redis.url, reason: expect.any(String) },
        },
      ]);

      await startRedis({ port: redis.port });
      await untilStore(app, 'redis');
      expect(statusOf(app)).toMatchObject({ redisConfigured: true, redisReachable: true });
      // The restarted Redis starts empty (no persistence): a new shared budget.
      expect(await statuses(() => token(app), 4)).toEqual([200, 200, 200, 429]);
      expect(logger.lines.filter(({ level }) => level === 'warn')).toHaveLength(1);
      expect(logger.lines.map(({ message }) => message)).toContainEqual(
        expect.stringMatching(/^Redis answers again/),
      );
      expect(logger.lines.filter(({ level }) => level === 'error')).toEqual([]);
    });
  });

  describe('with REDIS_FALLBACK_SHARE=0.5 and a budget of 10, once Redis is gone', () => {
    it('hands each caller half its budget from memory, no more', async () => {
      const redis = await startRedis();
      const app = redisApp(redis.url, {
        REDIS_KEY_PREFIX: freshPrefix(),
        RATE_LIMIT_PER_MINUTE: '10',
        REDIS_FALLBACK_SHARE: '0.5',
      });
      await untilStore(app, 'redis');
      await redis.stop();
      await untilStore(app, 'memory');
      const seen = await statuses(() => token(app), 8);
      expect(seen).toEqual([...Array(5).fill(200), ...Array(3).fill(429)]);
    });
  });

  describe('when Redis is killed while requests are in flight', () => {
    it('answers every one of them, 200 or 429, and limits the next ones in memory', async () => {
      const redis = await startRedis();
      const app = redisApp(redis.url, { REDIS_KEY_PREFIX: freshPrefix() });
      await untilStore(app, 'redis');
      const inFlight = Promise.all(Array.from({ length: 20 }, () => token(app)));
      redis.signal('SIGKILL');
      const answered = (await inFlight).map(({ status }) => status);
      expect(answered.filter((status) => status !== 200 && status !== 429)).toEqual([]);
      // Some were counted in Redis before it died, the others in memory: within the
      // memory share of 1 (fresh at worst), the next requests are refused.
      expect((await statuses(() => token(app), 4)).at(-1)).toBe(429);
    });
  });

  describe('when Redis hangs (SIGSTOP) in the middle of a run', () => {
    it('costs requests at most about the 250 ms time-out, limits in memory, and comes back on SIGCONT', async () => {
      const redis = await startRedis();
      const logger = levelLogger();
      const app = redisApp(redis.url, { REDIS_KEY_PREFIX: freshPrefix() }, logger);
      await untilStore(app, 'redis');
      await token(app).expect(200);

      redis.signal('SIGSTOP');
      try {
        // Sent together, all ten wait for the time-out, then count in memory: a share.
        const together = await Promise.all(Array.from({ length: 10 }, () => token(app)));
        expect(together.map(({ status }) => status).sort()).toEqual([200, ...Array(9).fill(429)]);
        // From then on, requests skip Redis but for one probe a second.
        expect(await statuses(() => token(app), 3)).toEqual([429, 429, 429]);
        expect(statusOf(app)).toMatchObject({ store: 'memory', redisReachable: false });
        expect(statusOf(app).redisErrors).toBeGreaterThanOrEqual(10);
        expect(logger.lines.filter(({ level }) => level === 'warn')).toEqual([
          expect.objectContaining({
            fields: { redis_url: redis.url, reason: 'Command timed out' },
          }),
        ]);
      } finally {
        redis.signal('SIGCONT');
      }
      // One request a second tries Redis again; once it answers, the app is back on it.
      const deadline = Date.now() + STORE_WAIT_MS;
      while (statusOf(app).store !== 'redis' && Date.now() < deadline) {
        expect([200, 429]).toContain((await token(app)).status);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(statusOf(app).store).toBe('redis');
      expect(logger.lines.filter(({ level }) => level === 'warn')).toHaveLength(1);
    });
  });

  describe('when REDIS_URL names a server that accepts connections and never answers', () => {
    let silent: SilentServer;

    beforeAll(async () => {
      silent = await startSilentServer();
    });

    afterAll(() => silent.close());

    it('answers every request in time from memory, and still limits', async () => {
      const logger = levelLogger();
      const app = redisApp(silent.url, {}, logger);
      await token(app).expect(200);
      for (let round = 0; round < 3; round += 1) {
        // Spread over the connection's attempts and ready checks, which time out too.
        await new Promise((resolve) => setTimeout(resolve, 60));
        await token(app).expect(429);
      }
      expect(statusOf(app)).toMatchObject({ store: 'memory', redisReachable: false });
      // Each attempt's ready check times out (after REDIS_TIMEOUT_MS); the first is logged.
      const deadline = Date.now() + STORE_WAIT_MS;
      while (!logger.lines.some(({ level }) => level === 'warn') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(logger.lines.filter(({ level }) => level === 'warn')).toEqual([
        expect.objectContaining({
          fields: { redis_url: silent.url, reason: expect.stringMatching(/timed out/) },
        }),
      ]);
    });
  });

  describe('when nothing listens at REDIS_URL', () => {
    it('limits in memory and warns once, however many connections fail', async () => {
      const logger = levelLogger();
      const url = `redis://:a-password-never-logged@127.0.0.1:${await freePort()}`;
      const app = redisApp(url, {}, logger);
      expect(await statuses(() => token(app), 4)).toEqual([200, 429, 429, 429]);
      // Several reconnection attempts (100, 200, 400 ms apart) fail meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(statusOf(app)).toMatchObject({ store: 'memory', redisConfigured: true });
      expect(statusOf(app).redisErrors).toBeGreaterThanOrEqual(2);
      // Request lines and the audit trail's aside, one warning.
      expect(
        logger.lines.filter(({ message, fields }) => message !== 'request' && !fields?.event),
      ).toEqual([
        expect.objectContaining({
          level: 'warn',
          fields: expect.objectContaining({
            redis_url: url.replace(':a-password-never-logged@', ''),
          }),
        }),
      ]);
      expect(JSON.stringify(logger.lines)).not.toContain('a-password-never-logged');
    });
  });

  describe('closed', () => {
    it('disconnects without a warning, and limits in memory from then on', async () => {
      const redis = await startRedis();
      const logger = levelLogger();
      const app = redisApp(redis.url, { REDIS_KEY_PREFIX: freshPrefix() }, logger);
      await untilStore(app, 'redis');
      await lifecycleOf(app).close();
      expect(statusOf(app).store).toBe('memory');
      expect(await statuses(() => token(app), 4)).toEqual([200, 429, 429, 429]);
      expect(logger.lines.filter(({ level }) => level !== 'info')).toEqual([]);
      await redis.stop();
    });
  });
});
