// The document and the server agree on every body: bodies are generated from each route's
// JSON Schema in /openapi.json (within the rules and just past them), and what ajv makes of
// a body by the document is what the server makes of it. A client generated from the
// document then never gets a 400 VALIDATION_ERROR for a body the document allows, nor sends
// one the document forbids and the server takes.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import request from 'supertest';
import { createApp, openApiDocumentOf } from '../../../server/src/app';
import type { JsonSchema, OpenApiDocument } from '../../../server/src/openapi/types';
import { testConfig } from '../../support/fixtures';
import {
  CALLER_AUDIENCE,
  CALLER_ISSUER,
  CALLER_JWT_SECRET,
  callerJwtWithSecret,
} from '../../support/jwks';
import { arbitraryOf } from '../../support/schema-arbitrary';

/** Bodies per route and mode: a few dozen the document allows, the rest just past it. */
const RUNS = 150;
const CALLER_KEY = 'caller-key-cccccccccccccccccccccccccccccc';

const MODES = {
  none: { env: {}, headers: async () => ({}) },
  'api-key': {
    env: { AUTH_MODE: 'api-key', TOKEN_SERVER_API_KEYS: CALLER_KEY },
    headers: async () => ({ 'X-API-Key': CALLER_KEY }),
  },
  jwt: {
    env: {
      AUTH_MODE: 'jwt',
      AUTH_JWT_SECRET: CALLER_JWT_SECRET,
      AUTH_ISSUER: CALLER_ISSUER,
      AUTH_AUDIENCE: CALLER_AUDIENCE,
    },
    headers: async () => ({
      Authorization: `Bearer ${await callerJwtWithSecret(CALLER_JWT_SECRET, { claims: { sub: 'ada' } })}`,
    }),
  },
} as const;

/** ajv with the document's one extension: a limit in bytes of UTF-8, strings and objects. */
function documentValidator(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addKeyword({
    keyword: 'x-max-utf8-bytes',
    type: ['string', 'object'],
    schemaType: 'number',
    validate: (limit: number, data: unknown) => {
      const text =
        typeof data === 'string'
          ? data
          : Object.entries(data as Record<string, unknown>)
              .map(([key, value]) => `${key}${typeof value === 'string' ? value : ''}`)
              .join('');
      return Buffer.byteLength(text, 'utf8') <= limit;
    },
  });
  return ajv;
}

describe.each(Object.entries(MODES))('with AUTH_MODE=%s', (_mode, { env, headers }) => {
  const app = createApp(
    testConfig({
      ...env,
      RATE_LIMIT_PER_MINUTE: '0',
      VALIDATE_RATE_LIMIT_PER_MINUTE: '0',
      LIVEKIT_URL: 'wss://livekit.example.test',
      AGENT_NAMES: 'tutor',
    }),
  );
  const document = openApiDocumentOf(app) as OpenApiDocument;
  const ajv = documentValidator();

  it.each(['/token', '/connection-details', '/validate'])(
    'POST %s: the document allows exactly the bodies the server takes',
    async (path) => {
      const schema = document.paths[path]?.post?.requestBody?.content['application/json']
        ?.schema as JsonSchema;
      const validate = ajv.compile(schema);
      const credentials = await headers();
      await fc.assert(
        fc.asyncProperty(arbitraryOf(schema), async (body) => {
          const json = JSON.stringify(body);
          const response = await request(app)
            .post(path)
            .set(credentials)
            .set('Content-Type', 'application/json')
            .send(json);
          // Over the body limit is the body reader's refusal, stated in the document apart.
          if (response.status === 413) return;
          const byDocument = validate(JSON.parse(json));
          const byServer = !(
            response.status === 400 && response.body.error?.code === 'VALIDATION_ERROR'
          );
          expect({ body: json, byDocument, server: response.body.error?.message }).toEqual({
            body: json,
            byDocument: byServer,
            server: response.body.error?.message,
          });
        }),
        { numRuns: RUNS },
      );
    },
  );
});
