import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import { TokenVerifier } from 'livekit-server-sdk';
import request from 'supertest';
import { createApp } from '../server/src/app';
import { nowSeconds, TEST_API_KEY, TEST_API_SECRET, testConfig } from './support/fixtures';
import {
  CALLER_AUDIENCE,
  CALLER_ISSUER,
  CALLER_JWT_SECRET,
  callerJwtWithSecret,
  hmacJwt,
} from './support/jwks';

// Properties of the HTTP surface that must hold for any input, checked with fast-check.
// On failure fast-check prints the seed and the shrunk counterexample; rerun one with
// fc.assert(..., { seed, path }) to reproduce it.

const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);

/** A caller API key for AUTH_MODE=api-key, long enough for the 32-character rule. */
const CALLER_API_KEY = 'caller-api-key-that-is-at-least-32-characters-long';
/** The identity of the caller JWT in jwt mode; it carries no name or email claim. */
const CALLER_SUB = 'user-ada';

/** Runs per property: enough to find shallow bugs, few enough to keep the file fast. */
const RUNS = 150;

type AuthMode = 'none' | 'api-key' | 'jwt';

interface ModeUnderTest {
  /** A server listening on a loopback port, shared by every run of every property. */
  server: Server;
  /** Request headers that authenticate the caller in this mode (none for `none`). */
  credentials: Record<string, string>;
}

const MODE_ENV: Record<AuthMode, Record<string, string>> = {
  none: {},
  'api-key': { AUTH_MODE: 'api-key', TOKEN_SERVER_API_KEYS: CALLER_API_KEY },
  jwt: {
    AUTH_MODE: 'jwt',
    AUTH_JWT_SECRET: CALLER_JWT_SECRET,
    AUTH_ISSUER: CALLER_ISSUER,
    AUTH_AUDIENCE: CALLER_AUDIENCE,
  },
};

const modes = new Map<AuthMode, ModeUnderTest>();

beforeAll(async () => {
  const callerToken = await callerJwtWithSecret(CALLER_JWT_SECRET, {
    claims: { sub: CALLER_SUB },
    expiresAt: nowSeconds() + 3600,
  });
  const credentials: Record<AuthMode, Record<string, string>> = {
    none: {},
    'api-key': { Authorization: `Bearer ${CALLER_API_KEY}` },
    jwt: { Authorization: `Bearer ${callerToken}` },
  };
  for (const mode of Object.keys(MODE_ENV) as AuthMode[]) {
    const app = createApp(
      testConfig({
        RATE_LIMIT_PER_MINUTE: '0',
        VALIDATE_RATE_LIMIT_PER_MINUTE: '0',
        LIVEKIT_URL: 'wss://livekit.example.test',
        ...MODE_ENV[mode],
      }),
    );
    // One listening server per mode: supertest would otherwise open a new one per request.
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    modes.set(mode, { server, credentials: credentials[mode] });
  }
});

afterAll(async () => {
  await Promise.all(
    [...modes.values()].map(
      ({ server }) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
});

function modeUnderTest(mode: AuthMode): ModeUnderTest {
  const found = modes.get(mode);
  if (!found) throw new Error(`no server for AUTH_MODE=${mode}`);
  return found;
}

/** Every answer, whatever the input: no 5xx, JSON, and a request id. */
function expectWellFormedAnswer(response: request.Response): void {
  expect(response.status).toBeLessThan(500);
  expect(response.headers['content-type']).toMatch(/^application\/json\b/);
  expect(() => JSON.parse(response.text) as unknown).not.toThrow();
  expect(response.headers['x-request-id']).toEqual(expect.any(String));
}

/** True when the answer hands out a LiveKit token. */
function carriesToken(response: request.Response): boolean {
  return response.status === 200 || (response.body as { token?: unknown }).token !== undefined;
}

const CONTROL_CHARACTERS = /\p{Cc}/u;
const TOKEN_BODY_FIELDS = new Set(['user_email', 'full_name', 'user_id', 'room_name']);

/** What the printable-text rule (full_name, user_id, room_name) accepts. */
function isPrintableText(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= 256 &&
    !CONTROL_CHARACTERS.test(value) &&
    /\S/.test(value)
  );
}

/**
 * Why a /token body is certainly invalid, or undefined when it may be valid. Deliberately a
 * necessary condition only for email addresses (one @, no ASCII space or control character,
 * a dot in the domain), so that it never calls invalid what the server rightly accepts.
 */
function invalidTokenBodyReason(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'not an object';
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !TOKEN_BODY_FIELDS.has(key));
  if (unknown !== undefined) return `unknown field ${JSON.stringify(unknown)}`;
  const email = fields.user_email;
  if (
    typeof email !== 'string' ||
    email.length > 254 ||
    [...email].some((char) => char <= ' ' || char === '\u007f') ||
    !/^[^@]+@[^@]*\.[^@]*$/.test(email)
  ) {
    return 'bad or missing user_email';
  }
  if (!isPrintableText(fields.full_name)) return 'bad or missing full_name';
  for (const optional of ['user_id', 'room_name']) {
    if (Object.hasOwn(fields, optional) && !isPrintableText(fields[optional])) {
      return `bad ${optional}`;
    }
  }
  return undefined;
}

/** The body as the server sees it after JSON: -0 becomes 0, undefined members vanish. */
function overTheWire(body: unknown): unknown {
  const json = JSON.stringify(body);
  return json === undefined ? undefined : (JSON.parse(json) as unknown);
}

/** Any string as a header value may carry: visible ASCII and space. */
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 80,
});

/** Strings that break naive validators: controls, blanks, long, unicode. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\t',
    '\u00a0',
    '\u2028',
    '\u0000',
    'a\nb',
    '\u0085name',
    'x'.repeat(257),
    '💥'.repeat(129),
    '__proto__',
    '<script>alert(1)</script>',
  ),
);

/** Email-looking strings, valid or nearly so. */
const emailLike = fc.oneof(
  fc.emailAddress(),
  fc.stringMatching(/^[a-z0-9]{1,20}@[a-z0-9]{1,20}\.[a-z]{2,6}$/),
  fc.constantFrom('a@b', '@example.com', 'ada@', 'a b@example.com', `${'a'.repeat(250)}@b.co`),
);

/** Raw request bodies declared as JSON: random text, broken JSON, JSON of odd shape. */
const rawJsonBody = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc
    .tuple(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.nat(),
      fc.string(),
    )
    .map(([json, cut, junk]) => json.slice(0, cut % (json.length + 1)) + junk),
  fc.constantFrom('', '{', '[]', 'null', '"x"', '\ufeff{}', '{"token":}', '{"a":1}{"b":2}'),
);

/** Printable text that is certainly valid for full_name. */
const validName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .filter((name) => isPrintableText(name));

/** Bodies that the /token rules certainly accept. */
function validTokenBody(mode: AuthMode) {
  return fc.record(
    {
      user_email: fc.stringMatching(
        /^[a-z0-9]{1,20}(\.[a-z0-9]{1,10})?@[a-z0-9]{1,20}\.[a-z]{2,6}$/,
      ),
      full_name: validName,
      // In jwt mode the identity comes from the caller JWT, so user_id may only repeat it.
      user_id: mode === 'jwt' ? fc.constant(CALLER_SUB) : validName,
      room_name: validName,
    },
    { requiredKeys: ['user_email', 'full_name'] },
  );
}

/** One way to spoil a /token body: drop a required field, set a field wrong, add a field. */
const tokenBodyMutation = fc.oneof(
  fc.constantFrom('user_email', 'full_name').map((field) => ({ drop: field })),
  fc.record({
    set: fc.constantFrom(...TOKEN_BODY_FIELDS),
    to: fc.oneof(hostileText, emailLike, fc.jsonValue({ maxDepth: 2 })),
  }),
  fc.record({
    set: fc.string({ maxLength: 12 }),
    to: fc.jsonValue({ maxDepth: 1 }),
  }),
);

/** /token bodies near the valid ones: a valid body with up to two mutations, often none. */
function tokenLikeBody(mode: AuthMode): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(validTokenBody(mode), fc.array(tokenBodyMutation, { maxLength: 2 }))
    .map(([valid, mutations]) => {
      const body: Record<string, unknown> = { ...valid };
      for (const mutation of mutations) {
        if ('drop' in mutation) {
          delete body[mutation.drop];
        } else {
          // defineProperty, so that a key such as __proto__ becomes a field like any other.
          Object.defineProperty(body, mutation.set, {
            value: mutation.to,
            enumerable: true,
            configurable: true,
            writable: true,
          });
        }
      }
      return body;
    });
}

/** Any body at all: near-valid ones, arbitrary JSON, and arbitrary JavaScript values. */
function anyBody(mode: AuthMode): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: tokenLikeBody(mode) },
    { weight: 1, arbitrary: fc.jsonValue() },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  );
}

/** Strings given as a LiveKit token to /validate: random text and JWT-shaped forgeries. */
const arbitraryTokenText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  headerText,
  fc
    .tuple(fc.jsonValue(), fc.jsonValue(), fc.string({ maxLength: 40 }))
    .map((segments) =>
      segments.map((segment) => Buffer.from(JSON.stringify(segment)).toString('base64url')),
    )
    .map((segments) => segments.join('.')),
  fc
    .tuple(fc.dictionary(fc.string(), fc.jsonValue()), fc.string({ minLength: 1 }))
    .map(([payload, secret]) =>
      hmacJwt({ alg: 'HS256', typ: 'JWT' }, { iss: TEST_API_KEY, ...payload }, secret),
    )
    .filter((token) => !token.endsWith(TEST_API_SECRET)),
);

function post(mode: AuthMode, path: string, headers: Record<string, string>) {
  return request(modeUnderTest(mode).server).post(path).set(headers);
}

function sendBody(test: request.Test, body: unknown): request.Test {
  const json = JSON.stringify(body);
  return json === undefined ? test : test.set('Content-Type', 'application/json').send(json);
}

describe.each<AuthMode>(['none', 'api-key', 'jwt'])('with AUTH_MODE=%s', (mode) => {
  const authorized = () => modeUnderTest(mode).credentials;

  describe('POST /token', () => {
    it('never answers 5xx or anything but JSON, and never mints for an invalid body', async () => {
      await fc.assert(
        fc.asyncProperty(anyBody(mode), async (body) => {
          const response = await sendBody(post(mode, '/token', authorized()), body);
          expectWellFormedAnswer(response);
          const seen = overTheWire(body);
          const reason = invalidTokenBodyReason(seen);
          if (reason !== undefined) {
            expect(carriesToken(response)).toBe(false);
            expect(response.status).toBeGreaterThanOrEqual(400);
          }
          if (
            mode === 'jwt' &&
            typeof seen === 'object' &&
            seen !== null &&
            (seen as { user_id?: unknown }).user_id !== undefined &&
            (seen as { user_id?: unknown }).user_id !== CALLER_SUB
          ) {
            expect(carriesToken(response)).toBe(false);
          }
        }),
        { numRuns: RUNS },
      );
    });

    it('mints a token LiveKit accepts, with the given name and room, for any valid body', async () => {
      await fc.assert(
        fc.asyncProperty(validTokenBody(mode), async (body) => {
          const response = await post(mode, '/token', authorized()).send(body);
          expect({ status: response.status, body: response.body }).toMatchObject({ status: 200 });
          const claims = await verifier.verify(response.body.token);
          const identity = mode === 'jwt' ? CALLER_SUB : (body.user_id ?? body.user_email);
          expect(claims.sub).toBe(identity);
          expect(claims.name).toBe(body.full_name);
          if (body.room_name !== undefined) expect(claims.video?.room).toBe(body.room_name);
        }),
        { numRuns: 100 },
      );
    });

    it('answers raw bodies declared as JSON with JSON and no 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(rawJsonBody, async (raw) => {
          const response = await post(mode, '/token', authorized())
            .set('Content-Type', 'application/json')
            .send(raw);
          expectWellFormedAnswer(response);
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw);
          } catch {
            expect(carriesToken(response)).toBe(false);
            return;
          }
          if (invalidTokenBodyReason(parsed) !== undefined) {
            expect(carriesToken(response)).toBe(false);
          }
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('POST /validate', () => {
    it('never answers valid: true for an arbitrary string as ?token=', async () => {
      await fc.assert(
        fc.asyncProperty(arbitraryTokenText, async (token) => {
          const response = await post(mode, '/validate', authorized()).query({ token });
          expectWellFormedAnswer(response);
          expect(response.body.valid).not.toBe(true);
          expect(response.status).not.toBe(200);
        }),
        { numRuns: RUNS },
      );
    });

    it('never answers valid: true for an arbitrary string in the JSON body', async () => {
      await fc.assert(
        fc.asyncProperty(arbitraryTokenText, async (token) => {
          const response = await post(mode, '/validate', authorized()).send({ token });
          expectWellFormedAnswer(response);
          expect(response.body.valid).not.toBe(true);
          expect(response.status).not.toBe(200);
        }),
        { numRuns: RUNS },
      );
    });

    it('answers any raw query string with JSON, no 5xx and never valid: true', async () => {
      const rawQuery = fc.string({
        unit: fc
          .integer({ min: 0x21, max: 0x7e })
          .filter((code) => code !== 0x23)
          .map((code) => String.fromCharCode(code)),
        maxLength: 120,
      });
      await fc.assert(
        fc.asyncProperty(rawQuery, async (query) => {
          const response = await post(mode, `/validate?${query}`, authorized());
          expectWellFormedAnswer(response);
          expect(response.body.valid).not.toBe(true);
        }),
        { numRuns: RUNS },
      );
    });

    it('answers any body with JSON, no 5xx and never valid: true', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(anyBody(mode), rawJsonBody), async (body) => {
          const test = post(mode, '/validate', authorized());
          const response = await (typeof body === 'string'
            ? test.set('Content-Type', 'application/json').send(body)
            : sendBody(test, body));
          expectWellFormedAnswer(response);
          expect(response.body.valid).not.toBe(true);
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('POST /connection-details', () => {
    it('never answers 5xx or anything but JSON, and mints only for an object body', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(connectionDetailsLikeBody(mode), anyBody(mode)), async (body) => {
          const response = await sendBody(post(mode, '/connection-details', authorized()), body);
          expectWellFormedAnswer(response);
          const seen = overTheWire(body);
          const isObject = typeof seen === 'object' && seen !== null && !Array.isArray(seen);
          if (!isObject && seen !== undefined) {
            expect(response.body.participant_token).toBeUndefined();
          }
          if (response.status === 201) {
            await verifier.verify(response.body.participant_token as string);
          }
        }),
        { numRuns: RUNS },
      );
    });

    it('mints a token LiveKit accepts, carrying what was asked, for any valid body', async () => {
      await fc.assert(
        fc.asyncProperty(validConnectionDetailsBody(mode), async (body) => {
          const response = await post(mode, '/connection-details', authorized()).send(body);
          expect({ status: response.status, body: response.body }).toMatchObject({ status: 201 });
          const claims = await verifier.verify(response.body.participant_token);
          const identity = mode === 'jwt' ? CALLER_SUB : body.participant_identity;
          if (identity !== undefined) expect(claims.sub).toBe(identity);
          expect(claims.name).toBe(body.participant_name);
          expect(claims.metadata).toBe(body.participant_metadata || undefined);
          expect(claims.attributes).toEqual(body.participant_attributes);
          if (body.room_name !== undefined) expect(claims.video?.room).toBe(body.room_name);
        }),
        { numRuns: 100 },
      );
    });
  });
});

/** Bodies that /connection-details certainly accepts. */
function validConnectionDetailsBody(mode: AuthMode) {
  return fc.record(
    {
      room_name: validName,
      participant_identity: mode === 'jwt' ? fc.constant(CALLER_SUB) : validName,
      participant_name: validName,
      participant_metadata: fc.string({ unit: 'grapheme', maxLength: 200 }),
      participant_attributes: fc.dictionary(
        // __proto__ is refused as an attribute key (see connection-details.test.ts).
        validName.filter((key) => key !== '__proto__'),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        { maxKeys: 5 },
      ),
    },
    { requiredKeys: [] },
  );
}

/** /connection-details bodies near the valid ones: fields of every field's name set to anything. */
function connectionDetailsLikeBody(mode: AuthMode): fc.Arbitrary<Record<string, unknown>> {
  const field = fc.constantFrom(
    'room_name',
    'roomName',
    'participant_identity',
    'participant_name',
    'participant_metadata',
    'participant_attributes',
    'room_config',
    'roomConfig',
    'role',
    'ttl_seconds',
  );
  const value = fc.oneof(
    hostileText,
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ agents: fc.array(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }))) }),
    fc.constantFrom('viewer', 'host', 0, -1, 1e300, 86400, 86401),
  );
  return fc
    .tuple(validConnectionDetailsBody(mode), fc.array(fc.tuple(field, value), { maxLength: 3 }))
    .map(([valid, changes]) => {
      const body: Record<string, unknown> = { ...valid };
      for (const [name, to] of changes) body[name] = to;
      return body;
    });
}

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
          isPrintableText(claims.sub)
        ) {
          // Everything checked is right and the identity is ordinary text: it must pass.
          expect({ status: response.status, body: response.body }).toMatchObject({ status: 200 });
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('X-Request-Id', () => {
  it('echoes a well-formed incoming id and replaces any other with a UUID', async () => {
    const requestId = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9._-]{1,128}$/),
      headerText,
      fc.constantFrom('', 'a'.repeat(129), 'a b', 'id;drop', '../etc'),
    );
    await fc.assert(
      fc.asyncProperty(requestId, async (incoming) => {
        const response = await post('none', '/validate', { 'X-Request-Id': incoming });
        // HTTP strips the spaces around a header value before anyone sees it.
        const received = incoming.replace(/^[ \t]+|[ \t]+$/g, '');
        if (/^[A-Za-z0-9._-]{1,128}$/.test(received)) {
          expect(response.headers['x-request-id']).toBe(received);
        } else {
          expect(response.headers['x-request-id']).toMatch(
            /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
          );
        }
      }),
      { numRuns: 100 },
    );
  });
});
