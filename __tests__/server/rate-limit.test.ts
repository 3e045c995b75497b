import request from 'supertest';
import express from 'express';
import { createApp } from '../../server/src/app';
import { createMemoryStore, rateLimitPerCaller } from '../../server/src/rate-limit';
import { testConfig } from '../support/fixtures';

const WINDOW_MS = 1000;
const body = { user_email: 'ada@example.com', full_name: 'Ada Lovelace', room_name: 'lab' };
const KEY_A = 'rate-limit-key-a-0123456789abcdefghijklmnop';
const KEY_B = 'rate-limit-key-b-0123456789abcdefghijklmnop';

function limitedApp(env: Record<string, string> = {}) {
  return createApp(
    testConfig({ RATE_LIMIT_PER_MINUTE: '3', VALIDATE_RATE_LIMIT_PER_MINUTE: '2', ...env }),
    { rateLimitWindowMs: WINDOW_MS },
  );
}

async function spend(send: () => request.Test, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < times; attempt += 1) statuses.push((await send()).status);
  return statuses;
}

describe('POST /token', () => {
  describe('past RATE_LIMIT_PER_MINUTE', () => {
    it('responds 429 with RATE_LIMITED, RateLimit headers and Retry-After', async () => {
      const app = limitedApp();
      expect(await spend(() => request(app).post('/token').send(body), 3)).toEqual([200, 200, 200]);
      const limited = await request(app).post('/token').send(body).expect(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect(limited.body.error.message).toMatch(
        /RATE_LIMIT_PER_MINUTE says \(its operator may raise it/,
      );
      expect(limited.body).not.toHaveProperty('token');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(limited.headers.ratelimit).toMatch(/^"token"; r=0; t=\d+$/);
      expect(limited.headers['ratelimit-policy']).toMatch(/^"token"; q=3; w=1/);
    });

    it('tells how much is left on every answer', async () => {
      const app = limitedApp();
      const first = await request(app).post('/token').send(body).expect(200);
      expect(first.headers.ratelimit).toMatch(/r=2/);
    });

    it('recovers after the window', async () => {
      const app = limitedApp();
      await spend(() => request(app).post('/token').send(body), 4);
      await request(app).post('/token').send(body).expect(429);
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 200));
      await request(app).post('/token').send(body).expect(200);
    });

    it('counts POST /connection-details against the same budget', async () => {
      const app = limitedApp({ LIVEKIT_URL: 'wss://livekit.example.test' });
      await spend(() => request(app).post('/token').send(body), 2);
      await request(app).post('/connection-details').send({}).expect(201);
      const limited = await request(app).post('/connection-details').send({}).expect(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect(limited.body.error.message).toMatch(/POST \/token and \/connection-details together/);
      await request(app).post('/token').send(body).expect(429);
    });

    it('leaves /validate its own budget', async () => {
      const app = limitedApp();
      await spend(() => request(app).post('/token').send(body), 4);
      const response = await request(app).post('/validate').send({ token: 'x.y.z' });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('MALFORMED_TOKEN');
    });
  });

  describe('with AUTH_MODE=api-key', () => {
    const env = { AUTH_MODE: 'api-key', TOKEN_SERVER_API_KEYS: `${KEY_A},${KEY_B}` };

    it('gives each caller key its own budget', async () => {
      const app = limitedApp(env);
      const withKeyA = () => request(app).post('/token').set('X-API-Key', KEY_A).send(body);
      expect(await spend(withKeyA, 4)).toEqual([200, 200, 200, 429]);
      await request(app).post('/token').set('X-API-Key', KEY_B).send(body).expect(200);
    });

    it('counts failed authentications against the client IP', async () => {
      const app = limitedApp(env);
      const wrongKey = () =>
        request(app)
          .post('/token')
          .set('X-API-Key', 'guess-guess-guess-guess-guess-guess')
          .send(body);
      expect(await spend(wrongKey, 4)).toEqual([401, 401, 401, 429]);
    });
  });

  describe('with TRUST_PROXY', () => {
    const fromClient = (app: ReturnType<typeof limitedApp>, ip: string) => () =>
      request(app).post('/token').set('X-Forwarded-For', ip).send(body);

    it('unset, ignores X-Forwarded-For: one budget for everyone behind the proxy', async () => {
      const app = limitedApp();
      await spend(fromClient(app, '203.0.113.1'), 3);
      await fromClient(app, '203.0.113.2')().expect(429);
    });

    it('set, gives each forwarded client IP its own budget', async () => {
      const app = limitedApp({ TRUST_PROXY: 'loopback' });
      expect(await spend(fromClient(app, '203.0.113.1'), 4)).toEqual([200, 200, 200, 429]);
      await fromClient(app, '203.0.113.2')().expect(200);
    });
  });
});

describe('POST /validate', () => {
  describe('past VALIDATE_RATE_LIMIT_PER_MINUTE', () => {
    it('responds 429 with RATE_LIMITED', async () => {
      const app = limitedApp();
      const validate = () => request(app).post('/validate').send({ token: 'a.b.c' });
      expect(await spend(validate, 3)).toEqual([401, 401, 429]);
      const limited = await validate().expect(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
    });
  });
});

describe('with the rate limits at 0', () => {
  it('never answers 429', async () => {
    const app = createApp(testConfig(), { rateLimitWindowMs: WINDOW_MS });
    const statuses = await spend(() => request(app).post('/token').send(body), 20);
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe('POST /token with TRUST_PROXY=1 and X-Forwarded-For', () => {
  const proxied = () => limitedApp({ TRUST_PROXY: '1' });

  it('gives every spelling of one address one budget', async () => {
    const app = proxied();
    const spellings = ['10.9.9.9', '10.9.9.9:1234', '::ffff:10.9.9.9'];
    for (const address of spellings) {
      await request(app).post('/token').set('X-Forwarded-For', address).send(body).expect(200);
    }
    const limited = await request(app)
      .post('/token')
      .set('X-Forwarded-For', '[::ffff:10.9.9.9]:443')
      .send(body)
      .expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
  });

  it('keys a forwarded value that is not an address on the socket address instead', async () => {
    const app = proxied();
    await spend(() => request(app).post('/token').send(body), 3);
    for (const junk of ['not-an-ip', '010.9.9.9', 'x'.repeat(4000)]) {
      await request(app).post('/token').set('X-Forwarded-For', junk).send(body).expect(429);
    }
  });
});

describe('rateLimitPerCaller with more callers than it tracks', () => {
  it('forgets the caller whose window began first, keeping memory bounded', async () => {
    const app = express();
    app.set('trust proxy', true);
    app.use(
      rateLimitPerCaller(
        { name: 'token', spentOn: 'requests', setting: 'RATE_LIMIT_PER_MINUTE' },
        1,
        60_000,
        createMemoryStore(3),
      ),
    );
    app.get('/', (_req, res) => res.send('ok'));
    const from = (address: string) => request(app).get('/').set('X-Forwarded-For', address);
    await from('10.0.0.1').expect(200);
    await from('10.0.0.1').expect(429);
    for (const address of ['10.0.0.2', '10.0.0.3', '10.0.0.4']) await from(address).expect(200);
    // 10.0.0.1 was evicted to make room: it starts a new window.
    await from('10.0.0.1').expect(200);
    await from('10.0.0.4').expect(429);
  });
});
