// The global contract check (__tests__/support/openapi-contract.ts, run before every test
// file) must fail a test whose answer breaks the document: shown here with documents
// changed after the app was built, so that the server's right answers no longer match.
import express from 'express';
import request from 'supertest';
import { createApp, openApiDocumentOf } from '../../../server/src/app';
import type { JsonSchema, OpenApiDocument } from '../../../server/src/openapi/types';
import { testConfig } from '../../support/fixtures';

/** An app whose document is changed by `change` before any answer is checked against it. */
function appWithDocument(change: (document: OpenApiDocument) => void): express.Express {
  const app = createApp(testConfig());
  // The document is built once per app and kept: changing it changes what answers meet.
  change(openApiDocumentOf(app) as OpenApiDocument);
  return app;
}

function healthSchema(document: OpenApiDocument): JsonSchema & { properties: JsonSchema } {
  return document.paths['/']?.get?.responses['200']?.content?.['application/json']
    ?.schema as JsonSchema & { properties: JsonSchema };
}

describe('the OpenAPI contract check of every supertest answer', () => {
  it('passes an answer that matches', async () => {
    await request(createApp(testConfig())).get('/').expect(200);
  });

  it('fails one whose body does not match, naming the route, status and schema error', async () => {
    const app = appWithDocument((document) => {
      healthSchema(document).properties.status = { const: 'unwell' };
    });
    await expect(request(app).get('/')).rejects.toThrow(
      /^OpenAPI contract: GET \/ answered 200 with a body that does not match get \/ 200 in \/openapi\.json: body\/status must be equal to constant/,
    );
  });

  it('fails one with a status the document does not list for the route', async () => {
    const app = appWithDocument((document) => {
      delete document.paths['/token']?.post?.responses['400'];
    });
    await expect(request(app).post('/token').send({})).rejects.toThrow(
      /^OpenAPI contract: POST \/token answered 400, a status \/openapi\.json does not list/,
    );
  });

  it('holds the errors of routes the document does not describe to the error schema', async () => {
    const app = appWithDocument((document) => {
      document.components.schemas.Error = { required: ['problem'] };
    });
    await expect(request(app).get('/nowhere').expect(404)).rejects.toThrow(
      /^OpenAPI contract: GET \/nowhere answered 404 with a body that does not match the error schema/,
    );
    await expect(request(app).get('/token').expect(405)).rejects.toThrow(/answered 405/);
  });

  it('reports a failed expectation before the contract', async () => {
    const app = appWithDocument((document) => {
      healthSchema(document).properties.status = { const: 'unwell' };
    });
    await expect(request(app).get('/').expect(201)).rejects.toThrow(/expected 201 "Created"/);
  });

  it('leaves alone the answers of apps that createApp did not make', async () => {
    const other = express().get('/', (_req, res) => {
      res.status(418).send('teapot');
    });
    await request(other).get('/').expect(418);
  });
});
