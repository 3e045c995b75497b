import { createApp, openApiDocumentOf } from '../../../server/src/app';
import type { OpenApiDocument } from '../../../server/src/openapi/types';
import { testConfig } from '../../support/fixtures';

const CALLER_KEY = 'caller-key-cccccccccccccccccccccccccccccc';
const GUARDED = [
  ['/token', 'post'],
  ['/connection-details', 'post'],
  ['/validate', 'post'],
] as const;

/** The scheme of moderators holding a LiveKit host token, in every mode. */
const HOST_TOKEN_SCHEME = expect.objectContaining({
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
});

function documentFor(env: Record<string, string>): OpenApiDocument {
  return openApiDocumentOf(createApp(testConfig(env))) as OpenApiDocument;
}

describe('the security schemes of /openapi.json', () => {
  describe('with AUTH_MODE=none', () => {
    const document = documentFor({});

    it("has only the host token's, and only the moderation routes ask for it", () => {
      expect(Object.keys(document.components.securitySchemes ?? {})).toEqual(['livekitHostToken']);
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const operation of Object.values(operations)) {
          const moderated =
            path.startsWith('/bans') || path.startsWith('/rooms/') || path.startsWith('/invites');
          expect({ path, security: operation.security }).toEqual({
            path,
            security: moderated ? [{ livekitHostToken: [] }] : undefined,
          });
        }
      }
    });
  });

  describe('with AUTH_MODE=api-key', () => {
    const document = documentFor({ AUTH_MODE: 'api-key', TOKEN_SERVER_API_KEYS: CALLER_KEY });

    it('offers the key as X-API-Key or as a bearer token', () => {
      expect(document.components.securitySchemes).toEqual({
        apiKeyHeader: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
        apiKeyBearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
        livekitHostToken: HOST_TOKEN_SCHEME,
      });
    });

    it.each(GUARDED)('asks %s for either', (path, method) => {
      expect(document.paths[path]?.[method]?.security).toEqual([
        { apiKeyHeader: [] },
        { apiKeyBearer: [] },
      ]);
    });

    it('asks the moderation routes for the key or a host token', () => {
      expect(document.paths['/bans']?.post?.security).toEqual([
        { apiKeyHeader: [] },
        { apiKeyBearer: [] },
        { livekitHostToken: [] },
      ]);
    });

    it('asks nothing of GET /', () => {
      expect(document.paths['/']?.get?.security).toBeUndefined();
    });
  });

  describe('with AUTH_MODE=jwt', () => {
    const document = documentFor({
      AUTH_MODE: 'jwt',
      AUTH_JWT_SECRET: 'a-login-secret-of-at-least-32-characters',
      AUTH_ISSUER: 'https://login.example.com',
      AUTH_AUDIENCE: 'token-server',
    });

    it('offers a bearer JWT naming the issuer and audience', () => {
      expect(document.components.securitySchemes).toEqual({
        loginJwt: expect.objectContaining({
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: expect.stringMatching(/https:\/\/login\.example\.com.*token-server/),
        }),
        livekitHostToken: HOST_TOKEN_SCHEME,
      });
    });

    it.each(GUARDED)('asks %s for it', (path, method) => {
      expect(document.paths[path]?.[method]?.security).toEqual([{ loginJwt: [] }]);
    });

    it('never shows the secret', () => {
      expect(JSON.stringify(document)).not.toContain('a-login-secret-of-at-least-32-characters');
    });
  });
});
