import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp, openApiDocumentOf } from '../../../server/src/app';
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

/** The hashed asset names the page links to: the script, the styles, the start script. */
async function assetPaths(app: ReturnType<typeof createApp>): Promise<string[]> {
  const page = await request(app).get('/docs').expect(200);
  return resourceUrls(page.text).filter((url) => url.startsWith('/docs/assets/'));
}

/** A supertest answer's body as bytes, whatever its type. */
function asBytes(test: request.Test): request.Test {
  return test.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

describe('GET /docs', () => {
  const app = createApp(testConfig());

  it('responds 200 with a page whose scripts and styles all come from /docs/assets', async () => {
    const response = await request(app).get('/docs').expect(200).expect('Content-Type', /html/);
    const urls = resourceUrls(response.text);
    expect(urls).toEqual([
      'data:,',
      expect.stringMatching(/^\/docs\/assets\/swagger-ui\.[\w-]{10}\.css$/),
      expect.stringMatching(/^\/docs\/assets\/swagger-ui\.[\w-]{10}\.js$/),
      expect.stringMatching(/^\/docs\/assets\/start\.[\w-]{10}\.js$/),
    ]);
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

  it('keeps the strict policy on every other answer', async () => {
    const paths = ['/', '/openapi.json', ...(await assetPaths(app)), '/docs/nothing'];
    for (const path of paths) {
      const response = await request(app).get(path);
      expect({ path, csp: response.headers['content-security-policy'] }).toEqual({
        path,
        csp: APP_CONTENT_SECURITY_POLICY,
      });
    }
    for (const path of ['/docs', '/token']) {
      const response = await request(app).post(path);
      expect(response.headers['content-security-policy']).toBe(APP_CONTENT_SECURITY_POLICY);
    }
  });

  it("serves Swagger UI's script and styles as the build copied them from swagger-ui-dist", async () => {
    const [styles = '', script = ''] = await assetPaths(app);
    const served = await asBytes(request(app).get(script))
      .expect(200)
      .expect('Content-Type', /javascript/);
    const bundle = readFileSync(require.resolve('swagger-ui-dist/swagger-ui-bundle.js'));
    expect(Buffer.compare(served.body as Buffer, bundle)).toBe(0);
    const css = await asBytes(request(app).get(styles)).expect(200).expect('Content-Type', /css/);
    const sheet = readFileSync(require.resolve('swagger-ui-dist/swagger-ui.css'));
    expect(Buffer.compare(css.body as Buffer, sheet)).toBe(0);
  });

  it('serves the script gzipped to browsers that take it, a third of its size or less', async () => {
    const [, script = ''] = await assetPaths(app);
    // superagent asks for gzip by default: this one must not.
    const plain = await asBytes(request(app).get(script).set('Accept-Encoding', 'identity'))
      .expect(200)
      .expect((response) => expect(response.headers['content-encoding']).toBeUndefined());
    const gzipped = await asBytes(request(app).get(script).set('Accept-Encoding', 'gzip, br'))
      .expect(200)
      .expect('Content-Encoding', 'gzip')
      .expect('Vary', 'Accept-Encoding');
    expect(Number(gzipped.headers['content-length'])).toBeLessThan(
      Number(plain.headers['content-length']) / 3,
    );
    // superagent has unzipped it: the same bytes.
    expect(Buffer.compare(gzipped.body as Buffer, plain.body as Buffer)).toBe(0);
  });

  it('lets browsers cache the assets for a year under names that carry their hash', async () => {
    for (const path of await assetPaths(app)) {
      const response = await request(app).get(path).expect(200);
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const etag = response.headers.etag as string;
      const hash = /\.([\w-]{10})\.\w+$/.exec(path)?.[1] ?? '';
      expect(etag.startsWith(`"${hash}`)).toBe(true);
      await request(app).get(path).set('If-None-Match', etag).expect(304);
    }
    const page = await request(app).get('/docs').expect(200);
    expect(page.headers['cache-control']).toBe('no-cache');
  });

  it('serves the start script, which reads /openapi.json and calls nothing else', async () => {
    const [, , start = ''] = await assetPaths(app);
    const response = await request(app)
      .get(start)
      .expect(200)
      .expect('Content-Type', /javascript/);
    expect(response.text).toMatch(/^window\.ui = SwaggerUIBundle\(/);
    expect(response.text).toContain('"url":"/openapi.json"');
    expect(response.text).toContain('"validatorUrl":null');
    expect(response.text).not.toMatch(/https?:\/\//);
  });

  it('responds 404 to an asset it does not have', async () => {
    for (const path of ['/docs/assets/other.js', '/docs/assets/swagger-ui.0000000000.js']) {
      const response = await request(app).get(path).expect(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('responds 405 to POST', async () => {
    const response = await request(app).post('/docs').expect(405);
    expect(response.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(response.headers.allow).toBe('GET');
  });

  describe("on a build without the reference's files", () => {
    let empty: string;
    let unbuilt: ReturnType<typeof createApp>;

    beforeAll(() => {
      empty = mkdtempSync(join(tmpdir(), 'docs-assets-'));
      unbuilt = createApp(testConfig(), { docsAssetsFolder: empty });
    });

    afterAll(() => rmSync(empty, { recursive: true, force: true }));

    it('starts, and answers /docs 503 with DOCS_UNAVAILABLE naming the fix', async () => {
      const response = await request(unbuilt).get('/docs').expect(503);
      expect(response.body.error.code).toBe('DOCS_UNAVAILABLE');
      expect(response.body.error.message).toMatch(/npm run build/);
      expect(response.body.error.message).toMatch(/swagger-ui-dist/);
    });

    it('still serves /openapi.json', async () => {
      await request(unbuilt).get('/openapi.json').expect(200);
    });
  });
});

describe('GET /openapi.json', () => {
  it("responds 200 with the app's document", async () => {
    const app = createApp(testConfig());
    const response = await request(app)
      .get('/openapi.json')
      .expect(200)
      .expect('Content-Type', /json/);
    expect(response.body).toEqual(openApiDocumentOf(app));
    expect(response.body.openapi).toBe('3.1.0');
  });

  it('serves one buffer: gzipped when asked, 304 for its ETag', async () => {
    const app = createApp(testConfig());
    const plain = await request(app).get('/openapi.json').expect(200);
    const gzipped = await request(app)
      .get('/openapi.json')
      .set('Accept-Encoding', 'gzip')
      .expect(200)
      .expect('Content-Encoding', 'gzip');
    expect(gzipped.body).toEqual(plain.body);
    expect(gzipped.headers.etag).toBe(plain.headers.etag);
    await request(app)
      .get('/openapi.json')
      .set('If-None-Match', String(plain.headers.etag))
      .expect(304);
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

  it.each(['/docs', '/openapi.json'])(`answers GET %s with ${status}`, async (path) => {
    const response = await request(app).get(path).expect(status);
    if (status === 404) expect(response.body.error.code).toBe('NOT_FOUND');
  });

  it(`answers GET for the reference's assets with ${status}`, async () => {
    // The names an app serving the reference links to.
    for (const path of await assetPaths(createApp(testConfig()))) {
      await request(app).get(path).expect(status);
    }
  });
});
