import { openApiPath } from '../../../server/src/openapi/document';
import express from 'express';
import request from 'supertest';
import { createApp, openApiDocumentOf } from '../../../server/src/app';
import { authenticateRequest } from '../../../server/src/auth';
import { errorHandler, notFound } from '../../../server/src/errors';
import { buildOpenApiDocument } from '../../../server/src/openapi/document';
import { errorResponses, jsonAnswer } from '../../../server/src/openapi/responses';
import { rateLimitPerCaller } from '../../../server/src/rate-limit';
import { registerRoutes } from '../../../server/src/routes/register';
import type { AppParts, Route } from '../../../server/src/routes/route';
import { ROUTES } from '../../../server/src/routes/table';
import { silentLogger } from '../../../server/src/logger';
import { testConfig } from '../../support/fixtures';

const CALLER_KEY = 'caller-key-cccccccccccccccccccccccccccccc';
const config = testConfig({ AUTH_MODE: 'api-key', TOKEN_SERVER_API_KEYS: CALLER_KEY });

/** Two routes of a made-up table: one for anyone, one for callers with a body. */
const PING: Route = {
  method: 'get',
  path: '/ping',
  access: { kind: 'public' },
  handler: () => (_req, res) => {
    res.json({ pong: true });
  },
  operation: ({ guard }) => ({
    operationId: 'ping',
    summary: 'Ping',
    description: 'Answers pong.',
    responses: {
      '200': jsonAnswer('Pong.', { type: 'object' }),
      ...errorResponses(guard.errors),
    },
  }),
};
const ECHO: Route = {
  method: 'post',
  path: '/echo/:word',
  access: { kind: 'caller', budget: 'token', bodyLimitBytes: () => 64 },
  handler: () => (req, res) => {
    res.json({ word: req.params.word, body: req.body as unknown });
  },
  operation: ({ guard }) => ({
    operationId: 'echo',
    summary: 'Echo',
    description: 'Answers what it was sent.',
    responses: {
      '200': jsonAnswer('The echo.', { type: 'object' }, guard.headers),
      ...errorResponses(guard.errors, guard.headers),
    },
  }),
};

/** An app of the made-up table, with a budget of two requests. */
function tableApp(): express.Express {
  const app = express();
  // The made-up handlers read nothing of the app's parts; registerRoutes reads the config.
  const parts = { config } as AppParts;
  const budget = rateLimitPerCaller(
    { name: 'token', spentOn: 'echoes', setting: 'RATE_LIMIT_PER_MINUTE' },
    2,
  );
  registerRoutes(app, [PING, ECHO], parts, {
    authenticate: authenticateRequest(async ({ apiKey }) => {
      if (apiKey !== CALLER_KEY) throw new Error('not in this test');
      return { kind: 'api-key', keyId: 'key-1' };
    }),
    moderatorToken: (_req, _res, next) => next(),
    budgets: { token: budget, validate: budget, moderation: budget },
  });
  app.use(notFound);
  app.use(errorHandler(silentLogger));
  return app;
}

describe('registerRoutes', () => {
  it('serves each route of the table behind what its access asks for', async () => {
    const app = tableApp();
    await request(app).get('/ping').expect(200, { pong: true });
    const echoed = await request(app)
      .post('/echo/hello')
      .set('X-API-Key', CALLER_KEY)
      .send({ a: 1 })
      .expect(200);
    expect(echoed.body).toEqual({ word: 'hello', body: { a: 1 } });
    expect(echoed.headers['ratelimit-policy']).toBe('"token"; q=2; w=60');
  });

  it("answers a body over the route's limit 413, and a path's other methods 405", async () => {
    const app = tableApp();
    const tooLarge = await request(app)
      .post('/echo/hello')
      .set('X-API-Key', CALLER_KEY)
      .send({ text: 'x'.repeat(100) })
      .expect(413);
    expect(tooLarge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const wrongMethod = await request(app).delete('/echo/hello').expect(405);
    expect(wrongMethod.headers.allow).toBe('POST');
  });

  it('spends the budget the route names', async () => {
    const app = tableApp();
    const echo = () => request(app).post('/echo/hi').set('X-API-Key', CALLER_KEY).send({});
    await echo().expect(200);
    await echo().expect(200);
    expect((await echo().expect(429)).body.error.code).toBe('RATE_LIMITED');
  });
});

describe('buildOpenApiDocument from a route table', () => {
  const document = buildOpenApiDocument(config, '9.9.9', [PING, ECHO]);

  it('documents each route once, its path parameters written the OpenAPI way', () => {
    expect(Object.keys(document.paths)).toEqual(['/ping', '/echo/{word}']);
  });

  it("adds what the route's access puts in front of it: errors and security", () => {
    const echo = document.paths['/echo/{word}']?.post;
    expect(echo?.security).toEqual([{ apiKeyHeader: [] }, { apiKeyBearer: [] }]);
    expect(Object.keys(echo?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '413', '415']),
    );
    const ping = document.paths['/ping']?.get;
    expect(ping?.security).toBeUndefined();
    expect(Object.keys(ping?.responses ?? {})).not.toContain('401');
  });
});

describe('the route table', () => {
  it('is what the app serves and what its document lists', async () => {
    const app = createApp(testConfig());
    const document = openApiDocumentOf(app);
    const documented = ROUTES.filter((route) => route.operation !== undefined).map(
      (route) => `${route.method} ${openApiPath(route.path)}`,
    );
    const listed = Object.entries(document?.paths ?? {}).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    expect(listed).toEqual(documented);
    for (const route of ROUTES) {
      const response = await request(app)[route.method](
        route.path.replace(':asset', 'none').replace(/:\w+/g, 'x'),
      );
      expect({ route: route.path, status: response.status === 405 }).toEqual({
        route: route.path,
        status: false,
      });
    }
  });
});
