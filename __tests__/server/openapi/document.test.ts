import { openApiPath } from '../../../server/src/openapi/document';
import { spawnSync } from 'node:child_process';
import request from 'supertest';
import type { Express } from 'express';
import { createApp, openApiDocumentOf } from '../../../server/src/app';
import { TOKEN_ERROR_CODES } from '../../../server/src/grants';
import { ERROR_CODES } from '../../../server/src/error-codes';
import {
  tokenBodyLimitBytes,
  validateBodyLimitBytes,
} from '../../../server/src/routes/body-limits';
import type { JsonSchema, OpenApiDocument } from '../../../server/src/openapi/types';
import { loadConfig } from '../../../server/src/config';
import { TEST_API_KEY, TEST_API_SECRET, testConfig } from '../../support/fixtures';
import { REPO_ROOT } from '../../support/processes';

const CALLER_KEY = 'caller-key-cccccccccccccccccccccccccccccc';

/** Configurations that, together, turn on every feature that adds an answer. */
const CONFIGURATIONS: Record<string, Record<string, string>> = {
  'AUTH_MODE=none': {},
  'AUTH_MODE=api-key, rate limits, ROOM_NAME_PATTERN, AGENT_NAMES, LIVEKIT_URL': {
    AUTH_MODE: 'api-key',
    TOKEN_SERVER_API_KEYS: CALLER_KEY,
    RATE_LIMIT_PER_MINUTE: '30',
    VALIDATE_RATE_LIMIT_PER_MINUTE: '90',
    ROOM_NAME_PATTERN: 'class-[0-9]+',
    AGENT_NAMES: 'tutor',
    LIVEKIT_URL: 'wss://livekit.example.test',
    DUPLICATE_IDENTITY: 'refuse',
  },
  'AUTH_MODE=jwt with a JWKS': {
    AUTH_MODE: 'jwt',
    AUTH_JWKS_URL: 'https://login.example.com/.well-known/jwks.json',
    AUTH_ISSUER: 'https://login.example.com',
    AUTH_AUDIENCE: 'token-server',
  },
};

function appFor(env: Record<string, string>): Express {
  return createApp(testConfig(env));
}

function documentOf(app: Express): OpenApiDocument {
  return openApiDocumentOf(app) as OpenApiDocument;
}

/** Validates documents with @seriousme/openapi-schema-validator, an ES module: in a child Node. */
function openApiValidation(documents: unknown[]): Array<{ valid: boolean; errors?: unknown }> {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const results = [];
    for (const document of JSON.parse(input)) results.push(await new Validator().validate(document));
    process.stdout.write(JSON.stringify(results));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    input: JSON.stringify(documents),
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (result.status !== 0) throw new Error(`the validator failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Array<{ valid: boolean; errors?: unknown }>;
}

/** Every string of every `enum` in a part of the document. */
function enumValues(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(enumValues);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === 'enum' && Array.isArray(value)
      ? value.filter((item): item is string => typeof item === 'string')
      : enumValues(value),
  );
}

/** The codes one answer of an operation can carry. */
function codesOf(document: OpenApiDocument, path: string, method: string, status: string) {
  return enumValues(document.paths[path]?.[method]?.responses[status]);
}

function requestSchema(document: OpenApiDocument, path: string): JsonSchema {
  const schema = document.paths[path]?.post?.requestBody?.content['application/json']?.schema;
  if (schema === undefined) throw new Error(`no request body for ${path}`);
  return schema;
}

function propertiesOf(schema: unknown): Record<string, JsonSchema> {
  return (schema as { properties: Record<string, JsonSchema> }).properties;
}

describe('the OpenAPI document', () => {
  describe.each(Object.entries(CONFIGURATIONS))('with %s', (_label, env) => {
    it('is a valid OpenAPI 3.1 document', () => {
      const [result] = openApiValidation([documentOf(appFor(env))]);
      expect(result).toEqual({ valid: true });
    });
  });

  it('is found invalid by the validator when it is (a test that can fail)', () => {
    const broken = { ...documentOf(appFor({})), paths: { '/token': { post: { summary: 1 } } } };
    expect(openApiValidation([broken])[0]?.valid).toBe(false);
  });

  it('describes every route the app serves but the reference itself', () => {
    const app = appFor({});
    const served = app.router.stack.flatMap((layer) => {
      const route = layer.route as { path: string; methods: Record<string, boolean> } | undefined;
      if (route === undefined || route.path === '/docs' || route.path.startsWith('/docs/')) {
        return [];
      }
      if (route.path === '/openapi.json') return [];
      return Object.keys(route.methods)
        .filter((method) => method !== '_all')
        .map((method) => `${method} ${openApiPath(route.path)}`);
    });
    const documented = Object.entries(documentOf(app).paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    expect(served.length).toBeGreaterThanOrEqual(6);
    expect(documented.sort()).toEqual(served.sort());
  });

  it('names every error code the server answers with, in some configuration', () => {
    const documents = Object.values(CONFIGURATIONS).map((env) => documentOf(appFor(env)));
    const named = new Set(documents.flatMap((document) => enumValues(document.paths)));
    const missing = [...Object.keys(ERROR_CODES), ...TOKEN_ERROR_CODES].filter(
      (code) => !named.has(code),
    );
    // Unknown paths and wrong methods are no operation's answers: the description names them.
    // The reference's own page (/docs), no API operation, answers DOCS_UNAVAILABLE.
    expect(missing).toEqual(['NOT_FOUND', 'METHOD_NOT_ALLOWED', 'DOCS_UNAVAILABLE']);
    for (const code of missing.slice(0, 2)) {
      expect(documents[0]?.info.description).toContain(`\`${code}\``);
    }
  });

  describe('as configured', () => {
    const plain = documentOf(appFor({}));
    const configured = documentOf(
      appFor(
        CONFIGURATIONS[
          'AUTH_MODE=api-key, rate limits, ROOM_NAME_PATTERN, AGENT_NAMES, LIVEKIT_URL'
        ] ?? {},
      ),
    );

    it('lists 429 RATE_LIMITED only with a rate limit', () => {
      // The budget of failed invite redemptions is on by default.
      const unlimited = documentOf(appFor({ INVITE_FAILURE_LIMIT_PER_MINUTE: '0' }));
      expect(codesOf(unlimited, '/token', 'post', '429')).toEqual([]);
      expect(codesOf(plain, '/token', 'post', '429')).toEqual(['RATE_LIMITED']);
      expect(codesOf(configured, '/token', 'post', '429')).toEqual(['RATE_LIMITED']);
      expect(codesOf(configured, '/validate', 'post', '429')).toEqual(['RATE_LIMITED']);
    });

    it('lists 401 on the token routes only when callers authenticate', () => {
      expect(codesOf(plain, '/token', 'post', '401')).toEqual([]);
      expect(codesOf(configured, '/token', 'post', '401')).toEqual([
        'AUTHENTICATION_REQUIRED',
        'INVALID_CREDENTIALS',
      ]);
    });

    it('lists the 403s the configuration makes possible', () => {
      expect(codesOf(plain, '/token', 'post', '403')).toEqual([
        'ROLE_NOT_ALLOWED',
        'ATTRIBUTE_NOT_ALLOWED',
        'BANNED',
        'INVITE_NOT_FOR_ROOM',
      ]);
      expect(codesOf(configured, '/connection-details', 'post', '403')).toEqual([
        'ROOM_NOT_ALLOWED',
        'AGENT_NOT_ALLOWED',
        'BANNED',
        'INVITE_NOT_FOR_ROOM',
      ]);
    });

    it('lists 503 LIVEKIT_URL_NOT_SET only without LIVEKIT_URL, MODERATION_UNAVAILABLE always', () => {
      expect(codesOf(plain, '/connection-details', 'post', '503')).toEqual([
        'MODERATION_UNAVAILABLE',
        'LIVEKIT_URL_NOT_SET',
      ]);
      expect(codesOf(configured, '/connection-details', 'post', '503')).toEqual([
        'MODERATION_UNAVAILABLE',
      ]);
    });

    it("lists /validate's refusals of a token, and the caller's own when authenticated", () => {
      expect(codesOf(plain, '/validate', 'post', '401')).toEqual([...TOKEN_ERROR_CODES]);
      expect(codesOf(configured, '/validate', 'post', '401')).toEqual([
        ...TOKEN_ERROR_CODES,
        'AUTHENTICATION_REQUIRED',
        'INVALID_CREDENTIALS',
      ]);
    });

    it('answers /token with server_url only with LIVEKIT_URL', () => {
      const answer = (document: OpenApiDocument) =>
        document.paths['/token']?.post?.responses['200']?.content?.['application/json']?.schema;
      expect(propertiesOf(answer(plain)).server_url).toBeUndefined();
      expect(answer(configured)?.required).toContain('server_url');
    });

    it("states each route's body limit", () => {
      const config = testConfig({ MAX_METADATA_BYTES: '1000' });
      const document = documentOf(createApp(config));
      expect(document.paths['/token']?.post?.responses['413']?.description).toContain(
        `${tokenBodyLimitBytes(config)} bytes`,
      );
      expect(document.paths['/validate']?.post?.responses['413']?.description).toContain(
        `${validateBodyLimitBytes(config)} bytes`,
      );
    });

    it('takes its roles, limits and lifetime from the configuration', () => {
      const config = loadConfig(
        {
          LIVEKIT_API_KEY: TEST_API_KEY,
          LIVEKIT_API_SECRET: TEST_API_SECRET,
          ROLES_FILE: 'roles.json',
          DEFAULT_ROLE: 'viewer',
          TOKEN_EXPIRY_HOURS: '2',
          MAX_METADATA_BYTES: '1000',
        },
        () => JSON.stringify({ presenter: { canPublishSources: ['screen_share'] } }),
      );
      const document = documentOf(createApp(config));
      for (const [path, metadata] of [
        ['/token', 'metadata'],
        ['/connection-details', 'participant_metadata'],
      ] as const) {
        const fields = propertiesOf(requestSchema(document, path));
        expect(fields.role).toMatchObject({
          enum: ['participant', 'viewer', 'host', 'presenter'],
          default: 'viewer',
        });
        expect(fields.ttl_seconds).toMatchObject({ type: 'integer', minimum: 1, maximum: 7200 });
        expect(fields[metadata]).toMatchObject({ maxLength: 1000, 'x-max-utf8-bytes': 1000 });
      }
    });
  });

  it('is built once, and served as it was built', async () => {
    const app = appFor({});
    const first = await request(app).get('/openapi.json').expect(200);
    const second = await request(app).get('/openapi.json').expect(200);
    expect(first.body).toEqual(openApiDocumentOf(app));
    expect(second.text).toBe(first.text);
  });
});
