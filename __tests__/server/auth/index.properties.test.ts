import fc from 'fast-check';
import { TokenVerifier } from 'livekit-server-sdk';
import { nowSeconds, TEST_API_KEY, TEST_API_SECRET } from '../../support/fixtures';
import { CALLER_AUDIENCE, CALLER_ISSUER, CALLER_JWT_SECRET, hmacJwt } from '../../support/jwks';
import {
  anyBody,
  arbitraryTokenText,
  CALLER_API_KEY,
  carriesToken,
  expectWellFormedAnswer,
  headerText,
  hostileText,
  isIdentifierText,
  post,
  RUNS,
  sendBody,
  startModeServers,
  stopModeServers,
} from '../../support/properties';

// Properties of the HTTP surface that must hold for any input, checked with fast-check.
// On failure fast-check prints the seed and the shrunk counterexample; rerun one with
// fc.assert(..., { seed, path }) to reproduce it.

const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);

beforeAll(startModeServers);
afterAll(stopModeServers);

/** Headers a caller without valid credentials might send, for a mode that requires them. */
function wrongCredentials(mode: 'api-key' | 'jwt'): fc.Arbitrary<Record<string, string>> {
  const nearMissKeys = fc.constantFrom(
    CALLER_API_KEY.slice(0, -1),
    `${CALLER_API_KEY}x`,
    `${CALLER_API_KEY.slice(0, -1)}M`,
    CALLER_API_KEY.toUpperCase(),
    ` ${CALLER_API_KEY}x`,
    CALLER_JWT_SECRET,
    TEST_API_SECRET,
  );
  const forgedJwts = fc
    .record({
      sub: fc.string(),
      iss: fc.constantFrom(CALLER_ISSUER, 'https://evil.test/'),
      aud: fc.constantFrom(CALLER_AUDIENCE, 'elsewhere'),
      exp: fc.constant(nowSeconds() + 600),
    })
    .map((claims) =>
      hmacJwt({ alg: 'HS256', typ: 'JWT' }, claims, 'a-wrong-secret-of-at-least-32-characters'),
    );
  const secrets = fc.oneof(headerText, nearMissKeys, forgedJwts);
  const attempts: Array<fc.Arbitrary<Record<string, string>>> = [
    fc.constant({}),
    secrets.map((secret) => ({ Authorization: `Bearer ${secret}` })),
    headerText.map((value) => ({ Authorization: value })),
    secrets.map((secret) => ({ 'X-API-Key': secret })),
  ];
  if (mode === 'jwt') {
    // In jwt mode an API key is no credential at all, even a real-looking one.
    attempts.push(fc.constant({ 'X-API-Key': CALLER_API_KEY }));
  }
  const rightKey = [CALLER_API_KEY, `Bearer ${CALLER_API_KEY}`];
  return fc
    .oneof(...attempts)
    .filter(
      (headers) =>
        mode === 'jwt' || !Object.values(headers).some((value) => rightKey.includes(value.trim())),
    );
}

describe.each<'api-key' | 'jwt'>(['api-key', 'jwt'])('with AUTH_MODE=%s', (mode) => {
  describe('POST /token without valid credentials', () => {
    it('never mints a token, whatever the body', async () => {
      await fc.assert(
        fc.asyncProperty(wrongCredentials(mode), anyBody(mode), async (headers, body) => {
          const response = await sendBody(post(mode, '/token', headers), body);
          expectWellFormedAnswer(response);
          expect(carriesToken(response)).toBe(false);
          expect(response.status).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: RUNS },
      );
    });

    it('answers 401 AUTHENTICATION_REQUIRED without any credentials, whatever the body', async () => {
      await fc.assert(
        fc.asyncProperty(anyBody(mode), async (body) => {
          const response = await sendBody(post(mode, '/token', {}), body);
          expect({ status: response.status, body: response.body }).toEqual({
            status: 401,
            body: { error: { code: 'AUTHENTICATION_REQUIRED', message: expect.any(String) } },
          });
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('POST /validate without valid credentials', () => {
    it('never answers 200, whatever the token', async () => {
      await fc.assert(
        fc.asyncProperty(wrongCredentials(mode), arbitraryTokenText, async (headers, token) => {
          const response = await post(mode, '/validate', headers).query({ token });
          expectWellFormedAnswer(response);
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.body.valid).not.toBe(true);
        }),
        { numRuns: RUNS },
      );
    });
  });
});

describe('with AUTH_MODE=jwt and caller JWTs signed with the right secret', () => {
  const acceptableClaims = fc.record(
    {
      iss: fc.constant(CALLER_ISSUER),
      aud: fc.constantFrom<string | string[]>(CALLER_AUDIENCE, [
        CALLER_AUDIENCE,
        'another-service',
      ]),
      sub: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/),
      exp: fc.integer({ min: 60, max: 86_400 }).map((ahead) => nowSeconds() + ahead),
      nbf: fc.integer({ min: 0, max: 3600 }).map((ago) => nowSeconds() - ago),
      iat: fc.integer({ min: 0, max: 3600 }).map((ago) => nowSeconds() - ago),
    },
    { requiredKeys: ['iss', 'aud', 'sub', 'exp'] },
  );
  /** For each claim, values that are wrong in the ways that matter. */
  const wrongValues: Record<string, fc.Arbitrary<unknown>> = {
    iss: fc.constantFrom('https://evil.test/', CALLER_ISSUER.slice(0, -1), 42, null),
    aud: fc.constantFrom('another-service', ['another-service'], [], 7, null),
    sub: fc.oneof(hostileText, fc.integer(), fc.constantFrom(null, ['user-ada'])),
    exp: fc.oneof(
      fc.integer({ min: 60, max: 86_400 }).map((ago) => nowSeconds() - ago),
      fc.constantFrom('tomorrow', null),
    ),
    nbf: fc.integer({ min: 60, max: 3600 }).map((ahead) => nowSeconds() + ahead),
    iat: fc.integer({ min: 60, max: 86_400 }).map((ahead) => nowSeconds() + ahead),
  };
  /** Claims a caller JWT may carry: acceptable ones with up to two claims dropped or spoilt. */
  const callerClaims = fc
    .tuple(
      acceptableClaims,
      fc.array(
        fc.oneof(
          fc.constantFrom(...Object.keys(wrongValues)).map((claim) => ({ claim, drop: true })),
          fc
            .constantFrom(...Object.keys(wrongValues))
            .chain((claim) =>
              (wrongValues[claim] as fc.Arbitrary<unknown>).map((value) => ({ claim, value })),
            ),
        ),
        { maxLength: 2 },
      ),
    )
    .map(([acceptable, mutations]) => {
      const claims: Record<string, unknown> = { ...acceptable };
      for (const mutation of mutations) {
        if ('drop' in mutation) delete claims[mutation.claim];
        else claims[mutation.claim] = mutation.value;
      }
      return claims;
    });

  /** Why a caller JWT is certainly refused, or undefined when it may be accepted. */
  function refusalReason(claims: Record<string, unknown>): string | undefined {
    const now = nowSeconds();
    if (claims.iss !== CALLER_ISSUER) return 'wrong or missing iss';
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(CALLER_AUDIENCE)) return 'wrong or missing aud';
    if (typeof claims.sub !== 'string') return 'no string sub';
    if (claims.exp !== undefined && (typeof claims.exp !== 'number' || claims.exp < now - 45)) {
      return 'expired or malformed exp';
    }
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + 45)) {
      return 'not yet valid';
    }
    if (typeof claims.iat === 'number' && claims.iat > now + 45) return 'issued in the future';
    return undefined;
  }

  it('mints a token only for an acceptable JWT, and then for its sub', async () => {
    await fc.assert(
      fc.asyncProperty(callerClaims, async (claims) => {
        const token = hmacJwt({ alg: 'HS256', typ: 'JWT' }, claims, CALLER_JWT_SECRET);
        const response = await post('jwt', '/token', { Authorization: `Bearer ${token}` }).send({
          user_email: 'ada@example.com',
          full_name: 'Ada Lovelace',
        });
        expectWellFormedAnswer(response);
        const reason = refusalReason(claims);
        if (reason !== undefined) {
          expect({ reason, status: response.status, code: response.body.error?.code }).toEqual({
            reason,
            status: 401,
            code: 'INVALID_CREDENTIALS',
          });
          return;
        }
        if (response.status === 200) {
          const verified = await verifier.verify(response.body.token);
          expect(verified.sub).toBe(claims.sub);
          expect(claims.sub).not.toBe('');
        } else if (
          claims.exp !== undefined &&
          typeof claims.sub === 'string' &&
          isIdentifierText(claims.sub)
        ) {
          // Everything checked is right and the identity is ordinary text: it must pass.
          expect({ status: response.status, body: response.body }).toMatchObject({ status: 200 });
        }
      }),
      { numRuns: RUNS },
    );
  });
});
