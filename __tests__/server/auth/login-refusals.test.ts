import request from 'supertest';
import { createApp } from '../../../server/src/app';
import {
  LOGIN_REFUSAL_LOG_INTERVAL_MS,
  loginRefusalLog,
} from '../../../server/src/auth/login-refusals';
import { capturingLogger } from '../../support/capturing-logger';
import { testConfig } from '../../support/fixtures';
import {
  CALLER_AUDIENCE,
  CALLER_ISSUER,
  CALLER_JWT_SECRET,
  callerJwtWithSecret,
  hmacJwt,
} from '../../support/jwks';

const JWT_ENV = {
  AUTH_MODE: 'jwt',
  AUTH_JWT_SECRET: CALLER_JWT_SECRET,
  AUTH_ISSUER: CALLER_ISSUER,
  AUTH_AUDIENCE: CALLER_AUDIENCE,
};
const BODY = { full_name: 'Ada', room_name: 'lab' };
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('POST /token with AUTH_MODE=jwt and a refused login', () => {
  /** Posts with `token` to a fresh app, and answers what the client got and what was logged. */
  async function refusedWith(token: string) {
    const logger = capturingLogger();
    const app = createApp(testConfig(JWT_ENV), { logger });
    const response = await request(app)
      .post('/token')
      .set('Authorization', `Bearer ${token}`)
      .send(BODY)
      .expect(401);
    const refusals = logger.lines.filter((line) => line.message === 'login token refused');
    return { response, refusals, logged: JSON.stringify(logger.lines) };
  }

  it('answers a wrong aud and a wrong iss alike, and logs which check failed', async () => {
    const wrongAudience = await refusedWith(
      await callerJwtWithSecret(CALLER_JWT_SECRET, { audience: 'another-service' }),
    );
    const wrongIssuer = await refusedWith(
      await callerJwtWithSecret(CALLER_JWT_SECRET, { issuer: 'https://other.example.test/' }),
    );
    expect(wrongAudience.response.body).toEqual(wrongIssuer.response.body);
    expect(wrongAudience.response.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(wrongAudience.refusals.map((line) => line.fields)).toEqual([
      { check: 'audience', expected: CALLER_AUDIENCE, received: 'another-service' },
    ]);
    expect(wrongIssuer.refusals.map((line) => line.fields)).toEqual([
      { check: 'issuer', expected: CALLER_ISSUER, received: 'https://other.example.test/' },
    ]);
  });

  it.each([
    ['expired', { expiresAt: nowSeconds() - 3600 }, 'expired'],
    ['not valid yet', { notBefore: nowSeconds() + 3600 }, 'not_yet_valid'],
    ['without the identity claim', { claims: { name: 'Ada' } }, 'identity_claim'],
  ])('logs a token %s under its check', async (_label, options, check) => {
    const token = await callerJwtWithSecret(CALLER_JWT_SECRET, options);
    const { refusals } = await refusedWith(token);
    expect(refusals.map((line) => line.fields?.check)).toEqual([check]);
  });

  it('logs a token signed with another secret as signature, and never the token', async () => {
    const token = await callerJwtWithSecret('another-secret-that-is-at-least-32-characters');
    const { refusals, logged } = await refusedWith(token);
    expect(refusals.map((line) => line.fields)).toEqual([{ check: 'signature' }]);
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(token.split('.')[2]);
  });

  it('logs a token of another algorithm as algorithm', async () => {
    const token = hmacJwt(
      { alg: 'HS512', typ: 'JWT' },
      { sub: 'ada', iss: CALLER_ISSUER, aud: CALLER_AUDIENCE, exp: nowSeconds() + 60 },
      CALLER_JWT_SECRET,
    );
    const { refusals } = await refusedWith(token);
    expect(refusals.map((line) => line.fields?.check)).toEqual(['algorithm']);
  });

  it('logs a token that is no JWT as malformed', async () => {
    const { refusals } = await refusedWith('not.a.jwt');
    expect(refusals.map((line) => line.fields?.check)).toEqual(['malformed']);
  });
});

describe('loginRefusalLog', () => {
  const auth = { issuer: CALLER_ISSUER, audience: CALLER_AUDIENCE, identityClaim: 'sub' };

  it('writes one line per check a minute, then counts what it left out', () => {
    const logger = capturingLogger();
    let now = 1_000_000;
    const log = loginRefusalLog(auth, logger, () => now);
    for (let refusal = 0; refusal < 50; refusal += 1) log('audience', { aud: 'x' });
    log('issuer', { iss: 'y' });
    expect(logger.lines.map((line) => line.fields?.check)).toEqual(['audience', 'issuer']);
    now += LOGIN_REFUSAL_LOG_INTERVAL_MS;
    log('audience', { aud: 'x' });
    expect(logger.lines.at(-1)?.fields).toEqual({
      check: 'audience',
      expected: CALLER_AUDIENCE,
      received: 'x',
      also_refused_since_last_line: 49,
    });
  });

  it('bounds a claim value it logs, and names other types without their content', () => {
    const logger = capturingLogger();
    const log = loginRefusalLog(auth, logger);
    log('issuer', { iss: 'i'.repeat(10_000) });
    log('audience', { aud: { nested: 'object' } as unknown as string });
    expect(String(logger.lines[0]?.fields?.received)).toHaveLength(200);
    expect(logger.lines[1]?.fields?.received).toBe('(a object)');
  });
});
