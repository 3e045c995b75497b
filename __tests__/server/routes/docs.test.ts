import { readFileSync } from 'node:fs';
import request from 'supertest';
import { createApp } from '../../../server/src/app';
import { DOCS_CONTENT_SECURITY_POLICY } from '../../../server/src/routes/docs';
import { testConfig } from '../../support/fixtures';

/** helmet's policy for every answer of the app: nothing may load. */
const APP_CONTENT_SECURITY_POLICY = "default-src 'none';frame-ancestors 'none'";

const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_MODE: 'api-key',
  TOKEN_SERVER_API_KEYS: 'caller-key-cccccccccccccccccccccccccccccc',
};

/** The URLs of a page's scripts, stylesheets and other linked resources. */
function resourceUrls(html: string): string[] {
  return [...html.matchAll(/<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]*)"/g)].map(
    ([, url = '']) => url,
  );
}

describe('GET /docs', () => {
  const app = createApp(testConfig());

  it('responds 200 with a page whose scripts all come from /docs/assets', async () => {
    const response = await request(app).get('/docs').expect(200).expect('Content-Type', /html/);
    const urls = resourceUrls(response.text);
    expect(urls).toEqual(['data:,', '/docs/assets/scalar.js', '/docs/assets/start.js']);
    expect(response.text).not.toMatch(/https?:\/\//);
  });

  it('relaxes the Content-Security-Policy for the reference, never for inline scripts', async () => {
    const response = await request(app).get('/docs').expect(200);
    expect(response.headers['content-security-policy']).toBe(DOCS_CONTENT_SECURITY_POLICY);
    expect(DOCS_CONTENT_SECURITY_POLICY).toMatch(/(^|; )default-src 'none'(;|$)/);
    expect(DOCS_CONTENT_SECURITY_POLICY).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(DOCS_CONTENT_SECURITY_POLICY).toMatch(/(^|; )connect-src 'self'(;|$)/);
    expect(DOCS_CONTENT_SECURITY_POLICY).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
    expect(DOCS_CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*|unsafe-eval/);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/openapi.json'],
    ['GET', '/docs/assets/scalar.js'],
    ['GET', '/docs/assets/start.js'],
    ['GET', '/docs/nothing'],
    ['POST', '/docs'],
    ['POST', '/token'],
  ])('keeps the strict policy on %s %s', async (method, path) => {
    const response = await request(app)[method === 'GET' ? 'get' : 'post'](path);
    expect(response.headers['content-security-policy']).toBe(APP_CONTENT_SECURITY_POLICY);
  });

  it("serves Scalar's bundle from node_modules, byte for byte", async () => {
    const bundle = readFileSync(require.resolve('@scalar/api-reference/browser/standalone.js'));
    const response = await request(app)
      .get('/docs/assets/scalar.js')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200)
      .expect('Content-Type', /javascript/);
    expect(Buffer.compare(response.body as Buffer, bundle)).toBe(0);
  });

  it('serves the start script, which reads /openapi.json and calls nothing else', async () => {
    const response = await request(app)
      .get('/docs/assets/start.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    expect(response.text).toMatch(/^Scalar\.createApiReference\('#app', \{/);
    expect(response.text).toContain('"url":"/openapi.json"');
    expect(response.text).toContain('"withDefaultFonts":false');
    expect(response.text).toContain('"agent":{"disabled":true}');
    expect(response.text).not.toMatch(/https?:\/\//);
  });

  it('responds 404 to an asset it does not have', async () => {
    const response = await request(app).get('/docs/assets/other.js').expect(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });

  it('responds 405 to POST', async () => {
    const response = await request(app).post('/docs').expect(405);
    expect(response.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(response.headers.allow).toBe('GET');
  });
});

describe('GET /openapi.json', () => {
  it("responds 200 with the app's document", async () => {
    const app = createApp(testConfig());
    const response = await request(app)
      .get('/openapi.json')
      .expect(200)
      .expect('Content-Type', /json/);
    expect(response.body).toEqual(app.locals.openapi);
    expect(response.body.openapi).toBe('3.1.0');
  });
});

describe.each([
  ['with DOCS=off', { DOCS: 'off' }, 404],
  ['in production', PRODUCTION, 404],
  ['in production with DOCS=on', { ...PRODUCTION, DOCS: 'on' }, 200],
  ['in development', {}, 200],
  ['in development with DOCS=on', { DOCS: 'on' }, 200],
])('%s', (_label, env, status) => {
  const app = createApp(testConfig(env));

  it.each(['/docs', '/openapi.json', '/docs/assets/start.js'])(
    `answers GET %s with ${status}`,
    async (path) => {
      const response = await request(app).get(path).expect(status);
      if (status === 404) expect(response.body.error.code).toBe('NOT_FOUND');
    },
  );
});
