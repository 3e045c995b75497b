import express from 'express';
import request from 'supertest';
import { createApp } from '../../server/src/app';
import { corsFor, REFUSED_ORIGIN_LOG_INTERVAL_MS } from '../../server/src/cors';
import { capturingLogger } from '../support/capturing-logger';
import { testConfig } from '../support/fixtures';

const validBody = { user_email: 'ada@example.com', full_name: 'Ada Lovelace' };

describe('CORS', () => {
  const corsApp = createApp(testConfig({ CORS_ORIGINS: 'https://app.example.com' }));

  describe('from an allowed origin', () => {
    it('answers the preflight allowing POST with Content-Type, Authorization, X-API-Key and X-Invite-Code', async () => {
      const response = await request(corsApp)
        .options('/token')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,authorization')
        .expect(204);
      expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(response.headers['access-control-allow-methods']).toContain('POST');
      expect(response.headers['access-control-allow-headers']).toBe(
        'Content-Type,Authorization,X-API-Key,X-Request-Id,X-Invite-Code',
      );
    });

    it('answers the preflight of a DELETE, as a host page lifting a ban sends it', async () => {
      const response = await request(corsApp)
        .options('/bans/00000000-0000-4000-8000-000000000000')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'DELETE')
        .set('Access-Control-Request-Headers', 'authorization')
        .expect(204);
      expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(response.headers['access-control-allow-methods']).toBe('GET,POST,DELETE');
    });

    it('adds the CORS header to the answer', async () => {
      const response = await request(corsApp)
        .post('/token')
        .set('Origin', 'https://app.example.com')
        .send(validBody)
        .expect(200);
      expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(response.headers.vary).toContain('Origin');
      expect(response.headers['access-control-expose-headers']).toBe(
        'X-Request-Id,RateLimit,RateLimit-Policy,Retry-After',
      );
    });

    it('lets the browser cache the preflight for 10 minutes', async () => {
      const response = await request(corsApp)
        .options('/validate')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(response.headers['access-control-max-age']).toBe('600');
    });
  });

  describe('from another origin', () => {
    it('sends no CORS headers, so the browser blocks the answer', async () => {
      const preflight = await request(corsApp)
        .options('/token')
        .set('Origin', 'https://evil.example.com')
        .set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers).not.toHaveProperty('access-control-allow-origin');
      const response = await request(corsApp)
        .post('/token')
        .set('Origin', 'https://evil.example.com')
        .send(validBody);
      expect(response.headers).not.toHaveProperty('access-control-allow-origin');
      // The cors package lists the exposed headers for every origin; without
      // Access-Control-Allow-Origin they expose nothing, as the browser blocks the answer.
      expect(response.headers.vary).toContain('Origin');
    });
  });

  describe('without an Origin header', () => {
    it('sends no CORS headers, and answers OPTIONS with 204', async () => {
      const response = await request(corsApp).post('/token').send(validBody).expect(200);
      expect(response.headers).not.toHaveProperty('access-control-allow-origin');
      await request(corsApp).options('/token').expect(204);
    });
  });

  describe('with CORS_ORIGINS=*', () => {
    it('allows any origin', async () => {
      const open = createApp(testConfig({ CORS_ORIGINS: '*' }));
      const response = await request(open)
        .post('/token')
        .set('Origin', 'https://anywhere.example.org')
        .send(validBody)
        .expect(200);
      expect(response.headers['access-control-allow-origin']).toBe('*');
    });
  });

  describe('with CORS_ORIGINS unset, outside production', () => {
    const developmentApp = createApp(testConfig());

    it.each([
      ['http://localhost:5173'],
      ['http://127.0.0.1:3000'],
      ['http://[::1]:8080'],
      ['http://localhost'],
    ])('allows %s, a page served from this machine', async (origin) => {
      const preflight = await request(developmentApp)
        .options('/token')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type')
        .expect(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(origin);
      const response = await request(developmentApp)
        .post('/token')
        .set('Origin', origin)
        .send(validBody)
        .expect(200);
      expect(response.headers['access-control-allow-origin']).toBe(origin);
      expect(response.headers.vary).toContain('Origin');
    });

    it.each([
      ['https://app.example.com'],
      ['http://localhost.example.com'],
      ['http://127.0.0.1.example.com'],
      ['http://localhost:3000.example.com'],
      ['null'],
    ])('refuses %s', async (origin) => {
      const preflight = await request(developmentApp)
        .options('/token')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(preflight.headers).not.toHaveProperty('access-control-allow-origin');
      expect(preflight.headers.vary).toContain('Origin');
    });
  });

  describe('with CORS_ORIGINS unset and NODE_ENV=production', () => {
    it('allows no origin, loopback ones included', async () => {
      const productionApp = createApp(testConfig({ NODE_ENV: 'production', AUTH_MODE: 'none' }));
      const preflight = await request(productionApp)
        .options('/token')
        .set('Origin', 'http://localhost:5173')
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(preflight.headers).not.toHaveProperty('access-control-allow-origin');
      expect(preflight.headers.vary).toContain('Origin');
    });
  });

  describe('refusing an origin', () => {
    /** An app with only CORS, a logger that keeps lines, and a clock the test moves. */
    function refusingApp(maxRememberedOrigins?: number) {
      const logger = capturingLogger();
      const clock = { now: 1_000_000 };
      const app = express()
        .use(
          corsFor(['https://app.example.com'], {
            logger,
            now: () => clock.now,
            ...(maxRememberedOrigins === undefined ? {} : { maxRememberedOrigins }),
          }),
        )
        .get('/', (_req, res) => {
          res.send('ok');
        });
      const get = (origin?: string) => {
        const call = request(app).get('/?token=secret-in-query').set('Authorization', 'Bearer x');
        return origin === undefined ? call : call.set('Origin', origin);
      };
      const loggedOrigins = () => logger.lines.map((line) => line.fields?.origin);
      return { logger, clock, get, loggedOrigins };
    }

    it('logs the Origin header, and nothing else of the request, at warn level', async () => {
      const logger = capturingLogger();
      const app = createApp(testConfig({ CORS_ORIGINS: 'https://app.example.com' }), { logger });
      await request(app)
        .post('/token?token=secret-in-query')
        .set('Origin', 'https://evil.example.com')
        .set('Authorization', 'Bearer secret-in-header')
        .send(validBody);
      const refusals = logger.lines.filter(({ message }) => /CORS/.test(message));
      expect(refusals).toEqual([
        {
          message: 'CORS refused a browser origin; add it to CORS_ORIGINS to allow it',
          fields: { origin: 'https://evil.example.com' },
        },
      ]);
    });

    it('logs nothing for an allowed origin, or a request without Origin', async () => {
      const { get, loggedOrigins } = refusingApp();
      await get('https://app.example.com');
      await get();
      expect(loggedOrigins()).toEqual([]);
    });

    it('logs each refused origin at most once a minute', async () => {
      const { clock, get, loggedOrigins } = refusingApp();
      await get('https://evil.example.com');
      await get('https://evil.example.com');
      await get('https://other.example.com');
      clock.now += REFUSED_ORIGIN_LOG_INTERVAL_MS - 1;
      await get('https://evil.example.com');
      expect(loggedOrigins()).toEqual(['https://evil.example.com', 'https://other.example.com']);
      clock.now += 1;
      await get('https://evil.example.com');
      expect(loggedOrigins()).toEqual([
        'https://evil.example.com',
        'https://other.example.com',
        'https://evil.example.com',
      ]);
    });

    it('remembers a bounded number of origins, forgetting the oldest first', async () => {
      const { get, loggedOrigins } = refusingApp(2);
      for (const origin of ['https://a.example', 'https://b.example', 'https://c.example']) {
        await get(origin);
      }
      // a was forgotten to make room for c, so it is logged again; c is still remembered.
      await get('https://a.example');
      await get('https://c.example');
      expect(loggedOrigins()).toEqual([
        'https://a.example',
        'https://b.example',
        'https://c.example',
        'https://a.example',
      ]);
    });
  });
});
