import type { Express } from 'express';
import { TokenVerifier } from 'livekit-server-sdk';
import request from 'supertest';
import { createApp } from '../../../server/src/app';
import {
  livekitPayload,
  nowSeconds,
  signRaw,
  TEST_API_KEY,
  TEST_API_SECRET,
  testConfig,
} from '../../support/fixtures';
import {
  ADA_CLAIMS,
  CALLER_AUDIENCE,
  CALLER_ISSUER,
  CALLER_JWT_SECRET,
  callerJwt,
  callerJwtWithSecret,
  generateCallerKey,
  HOSTILE_CALLER_JWTS,
  hostileCallerJwts,
  JwksServer,
  unsignedCallerJwt,
  withoutJwkAlg,
  type CallerKey,
  type HostileCallerJwt,
} from '../../support/jwks';
import { expectInvalidCredentials, jwksConfig, postToken } from '../../support/jwt-mode';

const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);

/** What a 401 for missing credentials carries. */
const AUTHENTICATION_REQUIRED_CHALLENGE = 'Bearer realm="livekit-token-server"';

let rsaKey: CallerKey;
let ecKey: CallerKey;
/** A key the JWKS never serves. */
let strangerKey: CallerKey;
let jwks: JwksServer;
let app: Express;
let hostile: Record<HostileCallerJwt, string>;

beforeAll(async () => {
  [rsaKey, ecKey, strangerKey] = await Promise.all([
    generateCallerKey('RS256'),
    generateCallerKey('ES256'),
    generateCallerKey('RS256'),
  ]);
  jwks = await JwksServer.start([rsaKey, ecKey]);
  app = createApp(jwksConfig(jwks), { jwksCooldownMs: 0 });
  hostile = await hostileCallerJwts(rsaKey, strangerKey);
});

afterAll(async () => {
  await jwks.close();
});

describe('POST /token', () => {
  describe('with AUTH_MODE=jwt and a JWKS', () => {
    describe.each([
      ['RS256', () => rsaKey],
      ['ES256', () => ecKey],
    ])('with a valid %s caller JWT and an empty body', (_alg, key) => {
      it('responds 200 with a token for the sub claim, named by the name claim', async () => {
        const response = await postToken(app, await callerJwt(key())).expect(200);
        expect(response.body).toMatchObject({
          token: expect.any(String),
          identity: ADA_CLAIMS.sub,
          room_name: expect.any(String),
        });
        const claims = await verifier.verify(response.body.token);
        expect(claims.sub).toBe(ADA_CLAIMS.sub);
        expect(claims.name).toBe(ADA_CLAIMS.name);
      });
    });

    describe('with a valid caller JWT and full_name and user_email in the body', () => {
      it('responds 200 with the body full_name as the name', async () => {
        const response = await postToken(app, await callerJwt(rsaKey), {
          full_name: 'Countess of Lovelace',
          user_email: 'countess@example.com',
          room_name: 'physics-101',
        }).expect(200);
        const claims = await verifier.verify(response.body.token);
        expect(claims).toMatchObject({
          sub: ADA_CLAIMS.sub,
          name: 'Countess of Lovelace',
          video: { room: 'physics-101', roomJoin: true },
        });
      });
    });

    describe('with a caller JWT without name or email claims', () => {
      const claims = { sub: ADA_CLAIMS.sub };

      // One rule with /connection-details: a login brings the identity, and no name is needed.
      it('responds 200 with a token without a name when the body leaves them out too', async () => {
        const response = await postToken(app, await callerJwt(rsaKey, { claims })).expect(200);
        const verified = await verifier.verify(response.body.token);
        expect(verified.sub).toBe(ADA_CLAIMS.sub);
        expect(verified.name).toBeUndefined();
      });

      it('responds 200 when the body gives them', async () => {
        const response = await postToken(app, await callerJwt(rsaKey, { claims }), {
          full_name: 'Ada Lovelace',
          user_email: 'ada@example.com',
        }).expect(200);
        const verified = await verifier.verify(response.body.token);
        expect(verified).toMatchObject({ sub: ADA_CLAIMS.sub, name: 'Ada Lovelace' });
      });
    });

    describe('with a caller JWT with a name claim but no email claim', () => {
      it("responds 200 with the login's identity without user_email in the body", async () => {
        const claims = { sub: ADA_CLAIMS.sub, name: ADA_CLAIMS.name };
        const response = await postToken(app, await callerJwt(rsaKey, { claims })).expect(200);
        expect(response.body.identity).toBe(ADA_CLAIMS.sub);
        expect((await verifier.verify(response.body.token)).sub).toBe(ADA_CLAIMS.sub);
      });
    });

    describe('with a caller JWT with an email claim but no name claim', () => {
      it('responds 200 with a token without a name, without full_name in the body', async () => {
        const claims = { sub: ADA_CLAIMS.sub, email: ADA_CLAIMS.email };
        const response = await postToken(app, await callerJwt(rsaKey, { claims })).expect(200);
        expect((await verifier.verify(response.body.token)).name).toBeUndefined();
      });
    });

    describe('with a body user_id equal to the identity', () => {
      it('responds 200', async () => {
        const response = await postToken(app, await callerJwt(rsaKey), {
          user_id: ADA_CLAIMS.sub,
        }).expect(200);
        expect(response.body.identity).toBe(ADA_CLAIMS.sub);
      });
    });

    describe('with a body user_id different from the identity', () => {
      it('responds 403 with IDENTITY_MISMATCH and no token', async () => {
        const response = await postToken(app, await callerJwt(rsaKey), {
          user_id: 'user-babbage',
        }).expect(403);
        expect(response.body).toEqual({
          error: { code: 'IDENTITY_MISMATCH', message: expect.any(String) },
        });
      });
    });

    describe('with a caller JWT expired less than 30 s ago', () => {
      it('responds 200, allowing the clock tolerance', async () => {
        const token = await callerJwt(rsaKey, { expiresAt: nowSeconds() - 10 });
        await postToken(app, token).expect(200);
      });
    });

    describe.each(HOSTILE_CALLER_JWTS)('with a caller JWT with %s', (label) => {
      it('responds 401 with INVALID_CREDENTIALS and a Bearer challenge', async () => {
        await expectInvalidCredentials(await postToken(app, hostile[label]));
      });

      it('responds 401 with INVALID_CREDENTIALS even with a complete body', async () => {
        const response = await postToken(app, hostile[label], {
          user_email: 'ada@example.com',
          full_name: 'Ada Lovelace',
          user_id: ADA_CLAIMS.sub,
        });
        await expectInvalidCredentials(response);
      });
    });

    describe('without Authorization', () => {
      it('responds 401 with AUTHENTICATION_REQUIRED and a Bearer challenge', async () => {
        const response = await postToken(app, undefined, {
          user_email: 'ada@example.com',
          full_name: 'Ada Lovelace',
        }).expect(401);
        expect(response.body).toEqual({
          error: { code: 'AUTHENTICATION_REQUIRED', message: expect.any(String) },
        });
        expect(response.headers['www-authenticate']).toBe(AUTHENTICATION_REQUIRED_CHALLENGE);
      });
    });

    describe('when the identity provider rolls its keys', () => {
      let rollingJwks: JwksServer;
      let rollingApp: Express;

      beforeAll(async () => {
        rollingJwks = await JwksServer.start([rsaKey]);
        rollingApp = createApp(jwksConfig(rollingJwks), { jwksCooldownMs: 0 });
      });

      afterAll(async () => {
        await rollingJwks.close();
      });

      it('accepts JWTs signed by the new key, and refuses the old key once it is gone', async () => {
        const oldToken = await callerJwt(rsaKey);
        await postToken(rollingApp, oldToken).expect(200);

        const newKey = await generateCallerKey('RS256');
        rollingJwks.rotate([newKey]);
        const fetchesBefore = rollingJwks.fetchCount;
        const response = await postToken(rollingApp, await callerJwt(newKey)).expect(200);
        expect(response.body.identity).toBe(ADA_CLAIMS.sub);
        expect(rollingJwks.fetchCount).toBeGreaterThan(fetchesBefore);

        await expectInvalidCredentials(await postToken(rollingApp, oldToken));
      });
    });

    describe('with a JWKS whose keys leave alg out, as some providers serve them', () => {
      let bareJwks: JwksServer;
      let bareApp: Express;

      beforeAll(async () => {
        bareJwks = await JwksServer.start([withoutJwkAlg(rsaKey), withoutJwkAlg(ecKey)]);
        bareApp = createApp(jwksConfig(bareJwks), { jwksCooldownMs: 0 });
      });

      afterAll(async () => {
        await bareJwks.close();
      });

      it.each([
        ['RS256', () => rsaKey],
        ['ES256', () => ecKey],
      ])('responds 200 for a valid %s caller JWT', async (_alg, key) => {
        await postToken(bareApp, await callerJwt(key())).expect(200);
      });

      // Only the server's own algorithm list stands between these and acceptance here.
      it.each(['RS384', 'RS512', 'PS256'])(
        'responds 401 with INVALID_CREDENTIALS for %s signed with the served RSA key',
        async (alg) => {
          await expectInvalidCredentials(
            await postToken(bareApp, await callerJwt(rsaKey, { alg })),
          );
        },
      );

      it('responds 401 with INVALID_CREDENTIALS for HS256 signed with the RSA public key PEM', async () => {
        await expectInvalidCredentials(
          await postToken(
            bareApp,
            hostile['HS256 signed with the RSA public key PEM (algorithm confusion)'],
          ),
        );
      });
    });

    describe.each<[string, (server: JwksServer) => Promise<void>]>([
      ['refuses connections', (server) => server.close()],
      ['answers HTTP 500', async (server) => server.breakWith('http-500')],
      [
        'answers with something that is not a key set',
        async (server) => server.breakWith('not-json'),
      ],
    ])('when the JWKS %s', (_label, breakIt) => {
      it('responds 503 with AUTH_UNAVAILABLE and no token, not 401 for the caller', async () => {
        const brokenJwks = await JwksServer.start([rsaKey]);
        try {
          const brokenApp = createApp(jwksConfig(brokenJwks), { jwksCooldownMs: 0 });
          await breakIt(brokenJwks);
          const response = await postToken(brokenApp, await callerJwt(rsaKey)).expect(503);
          expect(response.body).toEqual({
            error: { code: 'AUTH_UNAVAILABLE', message: expect.any(String) },
          });
        } finally {
          await brokenJwks.close().catch(() => undefined);
        }
      });
    });

    describe('with the default JWKS cooldown and a burst of unknown kids', () => {
      let cooldownJwks: JwksServer;
      let cooldownApp: Express;

      beforeAll(async () => {
        cooldownJwks = await JwksServer.start([rsaKey]);
        cooldownApp = createApp(jwksConfig(cooldownJwks));
      });

      afterAll(async () => {
        await cooldownJwks.close();
      });

      it('refuses them all and fetches the JWKS at most once for them', async () => {
        await postToken(cooldownApp, await callerJwt(rsaKey)).expect(200);
        const fetchesBefore = cooldownJwks.fetchCount;
        expect(fetchesBefore).toBeGreaterThanOrEqual(1);
        for (let attempt = 0; attempt < 5; attempt += 1) {
          const unknown = await callerJwt(strangerKey, { kid: `unknown-${attempt}` });
          await expectInvalidCredentials(await postToken(cooldownApp, unknown));
        }
        expect(cooldownJwks.fetchCount - fetchesBefore).toBeLessThanOrEqual(1);
      });
    });

    describe.each([
      ['email', { ...ADA_CLAIMS }, ADA_CLAIMS.email],
      ['preferred_username', { ...ADA_CLAIMS, preferred_username: 'ada.l' }, 'ada.l'],
    ])('with AUTH_IDENTITY_CLAIM=%s', (identityClaim, claims, identity) => {
      let claimApp: Express;
      let hostileForClaim: Record<HostileCallerJwt, string>;

      beforeAll(async () => {
        claimApp = createApp(jwksConfig(jwks, { AUTH_IDENTITY_CLAIM: identityClaim }), {
          jwksCooldownMs: 0,
        });
        hostileForClaim = await hostileCallerJwts(rsaKey, strangerKey, { claims, identityClaim });
      });

      it(`responds 200 with the ${identityClaim} claim as the identity`, async () => {
        const response = await postToken(claimApp, await callerJwt(rsaKey, { claims })).expect(200);
        expect(response.body.identity).toBe(identity);
        const verified = await verifier.verify(response.body.token);
        expect(verified.sub).toBe(identity);
      });

      it('responds 403 with IDENTITY_MISMATCH for a body user_id equal to sub', async () => {
        const response = await postToken(claimApp, await callerJwt(rsaKey, { claims }), {
          user_id: ADA_CLAIMS.sub,
        }).expect(403);
        expect(response.body.error.code).toBe('IDENTITY_MISMATCH');
      });

      it.each(['no identity claim', 'a non-string identity claim', 'a tampered identity claim'])(
        'responds 401 with INVALID_CREDENTIALS for a caller JWT with %s',
        async (label) => {
          const token = hostileForClaim[label as HostileCallerJwt];
          await expectInvalidCredentials(await postToken(claimApp, token));
        },
      );
    });
  });

  describe('with AUTH_MODE=jwt and AUTH_JWT_SECRET', () => {
    const secretApp = createApp(
      testConfig({
        AUTH_MODE: 'jwt',
        AUTH_JWT_SECRET: CALLER_JWT_SECRET,
        AUTH_ISSUER: CALLER_ISSUER,
        AUTH_AUDIENCE: CALLER_AUDIENCE,
      }),
    );

    describe('with a valid HS256 caller JWT', () => {
      it('responds 200 with a token for the sub claim', async () => {
        const token = await callerJwtWithSecret(CALLER_JWT_SECRET);
        const response = await postToken(secretApp, token).expect(200);
        expect(response.body.identity).toBe(ADA_CLAIMS.sub);
        const verified = await verifier.verify(response.body.token);
        expect(verified).toMatchObject({ sub: ADA_CLAIMS.sub, name: ADA_CLAIMS.name });
      });
    });

    const refusedBySecret: Record<string, () => Promise<string>> = {
      'an RS256 signature by an identity provider key': () => callerJwt(rsaKey),
      'an ES256 signature by an identity provider key': () => callerJwt(ecKey),
      'HS512 with the right secret': () => callerJwtWithSecret(CALLER_JWT_SECRET, { alg: 'HS512' }),
      'HS256 with another secret': () =>
        callerJwtWithSecret('another-secret-that-is-at-least-32-characters'),
      'alg none': async () => unsignedCallerJwt(),
      'an expiry past the 30 s tolerance': () =>
        callerJwtWithSecret(CALLER_JWT_SECRET, { expiresAt: nowSeconds() - 120 }),
      'another audience': () => callerJwtWithSecret(CALLER_JWT_SECRET, { audience: 'elsewhere' }),
      'another issuer': () =>
        callerJwtWithSecret(CALLER_JWT_SECRET, { issuer: 'https://evil.test/' }),
      'no sub claim': () =>
        callerJwtWithSecret(CALLER_JWT_SECRET, {
          claims: { name: ADA_CLAIMS.name, email: ADA_CLAIMS.email },
        }),
    };

    describe.each(Object.keys(refusedBySecret))('with a caller JWT with %s', (label) => {
      it('responds 401 with INVALID_CREDENTIALS', async () => {
        const token = await (refusedBySecret[label] as () => Promise<string>)();
        await expectInvalidCredentials(await postToken(secretApp, token));
      });
    });
  });
});

describe('POST /validate', () => {
  describe('with AUTH_MODE=jwt and a JWKS', () => {
    const livekitToken = signRaw(livekitPayload());

    describe('without Authorization, with the token as the query parameter', () => {
      it('responds 401 with AUTHENTICATION_REQUIRED', async () => {
        const response = await request(app)
          .post('/validate')
          .query({ token: livekitToken })
          .expect(401);
        expect(response.body.error.code).toBe('AUTHENTICATION_REQUIRED');
        expect(response.body.valid).not.toBe(true);
        expect(response.headers['www-authenticate']).toBe(AUTHENTICATION_REQUIRED_CHALLENGE);
      });
    });

    describe('without Authorization, with the token in the body', () => {
      it('responds 401 with AUTHENTICATION_REQUIRED', async () => {
        const response = await request(app)
          .post('/validate')
          .send({ token: livekitToken })
          .expect(401);
        expect(response.body.error.code).toBe('AUTHENTICATION_REQUIRED');
      });
    });

    describe.each([
      ['as the token query parameter', (post: request.Test) => post.query({ token: livekitToken })],
      ['in a JSON body', (post: request.Test) => post.send({ token: livekitToken })],
    ])('with a valid caller JWT and the LiveKit token %s', (_label, withToken) => {
      it('responds 200 with valid: true and the decoded token', async () => {
        const post = request(app)
          .post('/validate')
          .set('Authorization', `Bearer ${await callerJwt(ecKey)}`);
        const response = await withToken(post).expect(200);
        expect(response.body).toMatchObject({ valid: true, identity: 'ada', room: 'test-room' });
      });
    });

    describe('with an expired caller JWT', () => {
      it('responds 401 with INVALID_CREDENTIALS', async () => {
        const response = await request(app)
          .post('/validate')
          .set('Authorization', `Bearer ${hostile['an expiry past the 30 s tolerance']}`)
          .send({ token: livekitToken });
        await expectInvalidCredentials(response);
      });
    });

    describe('with the LiveKit token as Authorization: Bearer, the pre-authentication way', () => {
      it('responds 401 with INVALID_CREDENTIALS: Authorization carries the caller', async () => {
        const response = await request(app)
          .post('/validate')
          .set('Authorization', `Bearer ${livekitToken}`);
        await expectInvalidCredentials(response);
      });
    });

    describe('with a valid caller JWT and no LiveKit token', () => {
      it('responds 400 with MISSING_TOKEN rather than checking the caller JWT', async () => {
        const response = await request(app)
          .post('/validate')
          .set('Authorization', `Bearer ${await callerJwt(rsaKey)}`)
          .expect(400);
        expect(response.body.error.code).toBe('MISSING_TOKEN');
      });
    });
  });
});
