import express from 'express';
import request from 'supertest';
import { createApp } from '../server/src/app';
import { errorHandler, HttpError } from '../server/src/errors';
import type { Logger, LogFields } from '../server/src/logger';
import { TEST_API_SECRET, testConfig } from './support/fixtures';

/** A logger that keeps every line, to check what reaches the logs. */
function capturingLogger(): Logger & { lines: Array<{ message: string; fields?: LogFields }> } {
  const lines: Array<{ message: string; fields?: LogFields }> = [];
  const keep = (message: string, fields?: LogFields) => {
    lines.push({ message, fields });
  };
  return { lines, info: keep, warn: keep, error: keep, flush() {} };
}

const app = createApp(testConfig());
const validBody = { user_email: 'ada@example.com', full_name: 'Ada Lovelace' };

describe('every route', () => {
  describe('with malformed JSON', () => {
    it('responds 400 with MALFORMED_JSON, as JSON', async () => {
      const response = await request(app)
        .post('/token')
        .set('Content-Type', 'application/json')
        .send('{"user_email": ')
        .expect(400)
        .expect('Content-Type', /application\/json/);
      expect(response.body.error.code).toBe('MALFORMED_JSON');
    });
  });

  describe('with a JSON body that is a bare string', () => {
    it('responds 400 with MALFORMED_JSON', async () => {
      const response = await request(app)
        .post('/validate')
        .set('Content-Type', 'application/json')
        .send('"just a string"')
        .expect(400);
      expect(response.body.error.code).toBe('MALFORMED_JSON');
    });
  });

  describe.each([
    ['text/plain', 'user_email=ada@example.com'],
    ['application/x-www-form-urlencoded', 'user_email=ada%40example.com&full_name=Ada'],
    ['multipart/form-data; boundary=x', '--x--'],
  ])('with a %s body', (contentType, body) => {
    it.each([['/token'], ['/validate']])(
      'responds 415 with UNSUPPORTED_MEDIA_TYPE on %s',
      async (path) => {
        const response = await request(app)
          .post(path)
          .set('Content-Type', contentType)
          .send(body)
          .expect(415);
        expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      },
    );
  });

  describe.each([
    ['/token', 256],
    ['/connection-details', 256],
    ['/validate', 512],
  ])('with a JSON body to %s over %i KiB', (route, limitKiB) => {
    it('responds 413 with PAYLOAD_TOO_LARGE', async () => {
      const response = await request(app)
        .post(route)
        .send({ padding: 'x'.repeat(limitKiB * 1024) })
        .expect(413);
      expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  describe('with an unsupported body encoding', () => {
    it('responds 415 with UNSUPPORTED_MEDIA_TYPE', async () => {
      const response = await request(app)
        .post('/token')
        .set('Content-Type', 'application/json; charset=latin1')
        .send(JSON.stringify(validBody))
        .expect(415);
      expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('at an unknown path', () => {
    it('responds 404 with NOT_FOUND, as JSON', async () => {
      const response = await request(app)
        .get('/admin')
        .expect(404)
        .expect('Content-Type', /application\/json/);
      expect(response.body.error.code).toBe('NOT_FOUND');
    });
  });

  describe('at an unknown path holding a token', () => {
    it('responds 404 without echoing the token', async () => {
      const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLXZhbHVl';
      const response = await request(app).get(`/token/${token}`).expect(404);
      expect(response.body.error.message).toBe('No route for GET /token/[redacted].');
    });
  });

  describe('at a path with a malformed escape', () => {
    it('responds with a 4xx JSON error', async () => {
      const response = await request(app).get('/%E0%A4%A');
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body.error.code).toEqual(expect.any(String));
    });
  });

  it('keeps serving after each kind of bad request', async () => {
    const agent = request(app);
    await agent.post('/token').set('Content-Type', 'application/json').send('{').expect(400);
    await agent.post('/token').set('Content-Type', 'text/plain').send('x').expect(415);
    await agent
      .post('/token')
      .send({ big: 'x'.repeat(300 * 1024) })
      .expect(413);
    await agent.get('/nowhere').expect(404);
    await agent.post('/token').send(validBody).expect(200);
    await agent.get('/').expect(200);
  });

  it('never sends an X-Powered-By header', async () => {
    const response = await request(app).get('/').expect(200);
    expect(response.headers).not.toHaveProperty('x-powered-by');
  });
});

describe('the error handler', () => {
  function appThrowing(error: unknown, logger: Logger) {
    const broken = express();
    broken.get('/boom', () => {
      throw error;
    });
    broken.get('/async-boom', async () => {
      await Promise.resolve();
      throw error;
    });
    broken.use(errorHandler(logger));
    return broken;
  }

  describe.each([['/boom'], ['/async-boom']])('with an unexpected error at %s', (path) => {
    it('responds 500 with INTERNAL_ERROR and a generic message, and logs the detail', async () => {
      const logger = capturingLogger();
      const failure = new Error(`database exploded near ${TEST_API_SECRET}`);
      const response = await request(appThrowing(failure, logger))
        .get(path)
        .expect(500)
        .expect('Content-Type', /application\/json/);
      expect(response.body).toEqual({
        error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side.' },
      });
      expect(response.text).not.toContain('exploded');
      expect(response.text).not.toContain('at ');
      expect(logger.lines).toHaveLength(1);
      expect(String(logger.lines[0]?.fields?.error)).toContain('database exploded');
    });
  });

  it('answers an HttpError with its status, code, message and details', async () => {
    const logger = capturingLogger();
    const error = new HttpError(422, 'SOMETHING_ODD', 'Odd.', [{ field: 'a', message: 'b' }]);
    const response = await request(appThrowing(error, logger)).get('/boom').expect(422);
    expect(response.body).toEqual({
      error: { code: 'SOMETHING_ODD', message: 'Odd.', details: [{ field: 'a', message: 'b' }] },
    });
    expect(logger.lines).toEqual([]);
  });

  it('answers a thrown non-Error with a 500', async () => {
    const response = await request(appThrowing('a string', capturingLogger()))
      .get('/boom')
      .expect(500);
    expect(response.body.error.code).toBe('INTERNAL_ERROR');
  });
});

describe('access logs', () => {
  it('log each request without its query string, tokens or secrets', async () => {
    const logger = capturingLogger();
    const logged = createApp(testConfig(), { logger });
    const minted = await request(logged).post('/token').send(validBody).expect(200);
    const token = minted.body.token as string;
    await request(logged).post(`/validate?token=${token}`).expect(200);
    await request(logged).post('/validate').set('Authorization', `Bearer ${token}`).expect(200);
    await request(logged).post('/validate').send({ token }).expect(200);
    expect(logger.lines.map((line) => line.fields?.path)).toEqual([
      '/token',
      '/validate',
      '/validate',
      '/validate',
    ]);
    expect(logger.lines[0]?.fields).toMatchObject({ method: 'POST', status: 200 });
    const everything = JSON.stringify(logger.lines);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.split('.')[2]);
    expect(everything).not.toContain(TEST_API_SECRET);
  });
});

describe('CORS', () => {
  const corsApp = createApp(testConfig({ CORS_ORIGINS: 'https://app.example.com' }));

  describe('from an allowed origin', () => {
    it('answers the preflight allowing POST with Content-Type, Authorization and X-API-Key', async () => {
      const response = await request(corsApp)
        .options('/token')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,authorization')
        .expect(204);
      expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(response.headers['access-control-allow-methods']).toContain('POST');
      expect(response.headers['access-control-allow-headers']).toBe(
        'Content-Type,Authorization,X-API-Key,X-Request-Id',
      );
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
});

describe('security headers', () => {
  it.each([
    ['GET /', () => request(app).get('/')],
    ['POST /token', () => request(app).post('/token').send(validBody)],
    ['a 404', () => request(app).get('/missing')],
    ['a 400', () => request(app).post('/validate').send({})],
  ])('are on %s', async (_label, send) => {
    const response = await send();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('X-Request-Id', () => {
  it('is a fresh UUID on every answer, and in the access log line', async () => {
    const logger = capturingLogger();
    const logged = createApp(testConfig(), { logger });
    const first = await request(logged).get('/').expect(200);
    const second = await request(logged).get('/').expect(200);
    expect(first.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(logger.lines.map((line) => line.fields?.request_id)).toEqual([
      first.headers['x-request-id'],
      second.headers['x-request-id'],
    ]);
  });

  it("reuses the caller's well-formed id, so one id follows a request across services", async () => {
    const response = await request(app).get('/').set('X-Request-Id', 'frontend-42.abc').expect(200);
    expect(response.headers['x-request-id']).toBe('frontend-42.abc');
  });

  it('replaces an id that could forge log lines or is too long', async () => {
    for (const hostile of ['a"b', 'line\tbreak', 'x'.repeat(129)]) {
      const response = await request(app).get('/').set('X-Request-Id', hostile).expect(200);
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
