import type { Express } from 'express';
import request from 'supertest';
import type { Config } from '../../server/src/config';
import { testConfig } from './fixtures';
import { CALLER_AUDIENCE, CALLER_ISSUER, type JwksServer } from './jwks';

/** What a 401 for bad credentials carries. */
export const INVALID_CREDENTIALS_CHALLENGE =
  'Bearer realm="livekit-token-server", error="invalid_token"';

/** A jwt-mode configuration against the test JWKS, with overrides. */
export function jwksConfig(jwksServer: JwksServer, env: Record<string, string> = {}): Config {
  return testConfig({
    AUTH_MODE: 'jwt',
    AUTH_JWKS_URL: jwksServer.url,
    AUTH_ISSUER: CALLER_ISSUER,
    AUTH_AUDIENCE: CALLER_AUDIENCE,
    ...env,
  });
}

/** POST /token as a caller presenting a session JWT. */
export function postToken(
  target: Express,
  callerToken: string | undefined,
  body: object = {},
): request.Test {
  const post = request(target).post('/token');
  if (callerToken !== undefined) post.set('Authorization', `Bearer ${callerToken}`);
  return post.send(body);
}

/** Checks a refusal for bad credentials: status, code, challenge and no token. */
export async function expectInvalidCredentials(response: request.Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.body).toEqual({
    error: { code: 'INVALID_CREDENTIALS', message: expect.any(String) },
  });
  expect(response.headers['www-authenticate']).toBe(INVALID_CREDENTIALS_CHALLENGE);
}
