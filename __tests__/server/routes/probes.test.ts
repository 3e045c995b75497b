import request from 'supertest';
import { createApp, lifecycleOf } from '../../../server/src/app';
import { testConfig } from '../../support/fixtures';
import { CALLER_AUDIENCE, CALLER_ISSUER, generateCallerKey, JwksServer } from '../../support/jwks';
import { freePort } from '../../support/processes';

describe('GET /healthz', () => {
  it('responds 200, even while the server drains', async () => {
    const app = createApp(testConfig());
    await request(app).get('/healthz').expect(200, { status: 'alive' });
    lifecycleOf(app).readiness.markStopping();
    await request(app).get('/healthz').expect(200);
  });

  it('responds 405 to POST', async () => {
    const response = await request(createApp(testConfig())).post('/healthz').expect(405);
    expect(response.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('GET /readyz', () => {
  describe('with AUTH_MODE=none', () => {
    it('responds 200 at once', async () => {
      await request(createApp(testConfig())).get('/readyz').expect(200, { status: 'ready' });
    });
  });

  describe('once SIGTERM arrived (readiness marked stopping)', () => {
    it('responds 503 NOT_READY naming the shutdown', async () => {
      const app = createApp(testConfig());
      lifecycleOf(app).readiness.markStopping();
      const response = await request(app).get('/readyz').expect(503);
      expect(response.body.error.code).toBe('NOT_READY');
      expect(response.body.error.details).toEqual([
        { field: 'shutdown', message: 'the server is shutting down' },
      ]);
    });
  });

  describe('with AUTH_MODE=jwt and a JWKS', () => {
    const jwtEnv = (url: string) => ({
      AUTH_MODE: 'jwt',
      AUTH_JWKS_URL: url,
      AUTH_ISSUER: CALLER_ISSUER,
      AUTH_AUDIENCE: CALLER_AUDIENCE,
    });

    it('responds 503 until the keys were fetched once, then 200', async () => {
      const jwks = await JwksServer.start([await generateCallerKey('RS256')]);
      try {
        const app = createApp(testConfig(jwtEnv(jwks.url)));
        const before = await request(app).get('/readyz').expect(503);
        expect(before.body.error.details).toEqual([
          { field: 'jwks', message: expect.stringMatching(/AUTH_JWKS_URL/) },
        ]);
        await lifecycleOf(app).prepare();
        await request(app).get('/readyz').expect(200);
      } finally {
        await jwks.close();
      }
    });

    it('fetches the keys itself when probed, so it recovers without any login', async () => {
      const port = await freePort();
      // Nothing listens yet: the first probes fail and start fetches that fail.
      const app = createApp(testConfig(jwtEnv(`http://127.0.0.1:${port}/.well-known/jwks.json`)), {
        jwks: { initialBackoffMs: 50, maxBackoffMs: 50 },
      });
      await request(app).get('/readyz').expect(503);
      const jwks = await JwksServer.startOn(port, [await generateCallerKey('ES256')]);
      try {
        let status = 503;
        for (let probe = 0; probe < 100 && status !== 200; probe += 1) {
          await new Promise((resolve) => setTimeout(resolve, 60));
          status = (await request(app).get('/readyz')).status;
        }
        expect(status).toBe(200);
        expect(jwks.fetchCount).toBeGreaterThanOrEqual(1);
      } finally {
        await jwks.close();
      }
    });
  });
});
