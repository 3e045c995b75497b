import type { Express } from 'express';
import request from 'supertest';
import { createApp, lifecycleOf } from '../../../server/src/app';
import { testConfig } from '../../support/fixtures';
import {
  CALLER_AUDIENCE,
  CALLER_ISSUER,
  CALLER_JWT_SECRET,
  callerJwtWithSecret,
} from '../../support/jwks';
import { samplesOf } from '../../support/metrics';

const API_KEY = 'metrics-caller-key-0123456789abcdefghijklmn';
const WRONG_API_KEY = 'metrics-wrong-key-0123456789abcdefghijklmn';
const IDENTITY = 'ada-identity-7f3a9c';
const EMAIL = 'ada.metrics@example.com';
const ROOM = 'room-of-secrets-42';
const UNKNOWN_PATH = '/admin/backup-2024';

/** The whole Prometheus text of an app's registry. */
function metricsText(app: Express): Promise<string> {
  return lifecycleOf(app).metrics.registry.metrics();
}

function samples(app: Express, name: string) {
  return samplesOf(lifecycleOf(app).metrics.registry, name);
}

/** Zero for each authentication outcome, with the given counts. */
function authentications(counts: Record<string, number>) {
  const zero = { anonymous: 0, api_key: 0, jwt: 0, invalid: 0, missing: 0, unavailable: 0 };
  return Object.fromEntries(
    Object.entries({ ...zero, ...counts }).map(([outcome, count]) => [
      `{outcome="${outcome}"}`,
      count,
    ]),
  );
}

/** Zero for each token route and built-in role, with the given counts. */
function issued(counts: Record<string, number>) {
  const samples: Record<string, number> = {};
  for (const route of ['/token', '/connection-details']) {
    for (const role of ['participant', 'viewer', 'host']) {
      const labels = `{route="${route}",role="${role}"}`;
      samples[labels] = counts[labels] ?? 0;
    }
  }
  return samples;
}

describe('the metrics after a sequence of requests', () => {
  describe('with AUTH_MODE=api-key and a budget of two token requests', () => {
    const app = createApp(
      testConfig({
        AUTH_MODE: 'api-key',
        TOKEN_SERVER_API_KEYS: API_KEY,
        RATE_LIMIT_PER_MINUTE: '2',
      }),
    );
    let token = '';

    beforeAll(async () => {
      const issuedAnswer = await request(app)
        .post('/token')
        .set('X-API-Key', API_KEY)
        .send({
          user_id: IDENTITY,
          user_email: EMAIL,
          full_name: 'Ada',
          room_name: ROOM,
          role: 'viewer',
        })
        .expect(200);
      token = issuedAnswer.body.token as string;
      const invalid = await request(app)
        .post('/token')
        .set('X-API-Key', API_KEY)
        .send({ full_name: 'Ada', room_name: ROOM })
        .expect(400);
      expect(invalid.body.error.code).toBe('VALIDATION_ERROR');
      const missing = await request(app).post('/token').send({}).expect(401);
      expect(missing.body.error.code).toBe('AUTHENTICATION_REQUIRED');
      const wrongKey = await request(app)
        .post('/token')
        .set('X-API-Key', WRONG_API_KEY)
        .send({})
        .expect(401);
      expect(wrongKey.body.error.code).toBe('INVALID_CREDENTIALS');
      const limited = await request(app)
        .post('/token')
        .set('X-API-Key', API_KEY)
        .send({ user_id: IDENTITY, full_name: 'Ada', room_name: ROOM })
        .expect(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      const unknown = await request(app)
        .get(`${UNKNOWN_PATH}/${API_KEY}?token=${token}`)
        .expect(404);
      expect(unknown.body.error.code).toBe('NOT_FOUND');
      await request(app).get('/token').expect(405);
    });

    it('counts the token issued by route and role, every other pair from zero', async () => {
      expect(await samples(app, 'tokens_issued_total')).toEqual(
        issued({ '{route="/token",role="viewer"}': 1 }),
      );
    });

    it('counts each refusal by route and error code, unknown paths as route other', async () => {
      expect(await samples(app, 'requests_refused_total')).toEqual({
        '{route="/token",code="VALIDATION_ERROR"}': 1,
        '{route="/token",code="AUTHENTICATION_REQUIRED"}': 1,
        '{route="/token",code="INVALID_CREDENTIALS"}': 1,
        '{route="/token",code="RATE_LIMITED"}': 1,
        '{route="other",code="NOT_FOUND"}': 1,
        '{route="/token",code="METHOD_NOT_ALLOWED"}': 1,
      });
    });

    it('counts the request over the budget under the budget it spent', async () => {
      expect(await samples(app, 'rate_limited_total')).toEqual({
        '{budget="moderation"}': 0,
        '{budget="token"}': 1,
        '{budget="validate"}': 0,
      });
    });

    it('counts caller authentications by outcome, only on routes that check callers', async () => {
      expect(await samples(app, 'caller_authentications_total')).toEqual(
        authentications({ api_key: 3, missing: 1, invalid: 1 }),
      );
    });

    it('times each request by route and status class', async () => {
      expect(await samples(app, 'request_duration_seconds_count')).toEqual({
        '{route="/token",status_class="2xx"}': 1,
        '{route="/token",status_class="4xx"}': 5,
        '{route="other",status_class="4xx"}': 1,
      });
      const buckets = await samples(app, 'request_duration_seconds_bucket');
      expect(buckets['{le="+Inf",route="/token",status_class="4xx"}']).toBe(5);
      expect(buckets['{le="0.0005",route="/token",status_class="2xx"}']).toBeDefined();
    });

    it('never holds an identity, a room, a token, an API key or a requested path', async () => {
      const text = await metricsText(app);
      expect(token).not.toBe('');
      for (const secret of [IDENTITY, EMAIL, ROOM, token, API_KEY, WRONG_API_KEY, UNKNOWN_PATH]) {
        expect(text).not.toContain(secret);
      }
      expect(text).not.toContain('admin');
    });
  });

  describe('with AUTH_MODE=none', () => {
    const app = createApp(
      testConfig({
        LIVEKIT_URL: 'wss://livekit.example.test',
        VALIDATE_RATE_LIMIT_PER_MINUTE: '1',
      }),
    );
    let refusedCode = '';

    beforeAll(async () => {
      await request(app).post('/connection-details').send({ room_name: ROOM }).expect(201);
      const refused = await request(app).post('/validate').send({ token: 'x.y.z' }).expect(401);
      refusedCode = refused.body.error.code as string;
      await request(app).post('/validate').send({ token: 'x.y.z' }).expect(429);
      await request(app).get('/healthz').expect(200);
    });

    it('counts anonymous callers', async () => {
      expect(await samples(app, 'caller_authentications_total')).toEqual(
        authentications({ anonymous: 3 }),
      );
    });

    it('counts tokens from POST /connection-details under its route', async () => {
      expect(await samples(app, 'tokens_issued_total')).toEqual(
        issued({ '{route="/connection-details",role="participant"}': 1 }),
      );
    });

    it("counts /validate's refusal of a token by its code, and its own budget", async () => {
      expect(refusedCode).toMatch(/^[A-Z_]+$/);
      expect(await samples(app, 'requests_refused_total')).toEqual({
        [`{route="/validate",code="${refusedCode}"}`]: 1,
        '{route="/validate",code="RATE_LIMITED"}': 1,
      });
      expect(await samples(app, 'rate_limited_total')).toEqual({
        '{budget="moderation"}': 0,
        '{budget="token"}': 0,
        '{budget="validate"}': 1,
      });
    });

    it('times routes that check no caller, such as GET /healthz', async () => {
      expect(await samples(app, 'request_duration_seconds_count')).toMatchObject({
        '{route="/healthz",status_class="2xx"}': 1,
        '{route="/connection-details",status_class="2xx"}': 1,
        '{route="/validate",status_class="4xx"}': 2,
      });
    });
  });

  describe('with AUTH_MODE=jwt and a shared secret', () => {
    const app = createApp(
      testConfig({
        AUTH_MODE: 'jwt',
        AUTH_JWT_SECRET: CALLER_JWT_SECRET,
        AUTH_ISSUER: CALLER_ISSUER,
        AUTH_AUDIENCE: CALLER_AUDIENCE,
      }),
    );
    let login = '';

    beforeAll(async () => {
      login = await callerJwtWithSecret(CALLER_JWT_SECRET);
      await request(app)
        .post('/token')
        .set('Authorization', `Bearer ${login}`)
        .send({ room_name: ROOM, full_name: 'Ada' })
        .expect(200);
      await request(app)
        .post('/token')
        .set('Authorization', `Bearer ${login}x`)
        .send({ room_name: ROOM })
        .expect(401);
    });

    it('counts logins and refused logins', async () => {
      expect(await samples(app, 'caller_authentications_total')).toEqual(
        authentications({ jwt: 1, invalid: 1 }),
      );
    });

    it("never holds the login's identity or the login token", async () => {
      const text = await metricsText(app);
      expect(text).not.toContain('user-ada');
      expect(text).not.toContain(login);
    });
  });

  it('keeps each app its own counts', async () => {
    const counted = createApp(testConfig());
    const untouched = createApp(testConfig());
    await request(counted).get('/healthz').expect(200);
    expect(await samples(counted, 'request_duration_seconds_count')).toEqual({
      '{route="/healthz",status_class="2xx"}': 1,
    });
    expect(await samples(untouched, 'request_duration_seconds_count')).toEqual({});
  });
});
