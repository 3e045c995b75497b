// The property tests' shared ground: one loopback server per AUTH_MODE, and the fast-check
// arbitraries of bodies, tokens and headers that the HTTP surface must survive.
import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import request from 'supertest';
import { createApp } from '../../server/src/app';
import { nowSeconds, TEST_API_KEY, TEST_API_SECRET, testConfig } from './fixtures';
import {
  CALLER_AUDIENCE,
  CALLER_ISSUER,
  CALLER_JWT_SECRET,
  callerJwtWithSecret,
  hmacJwt,
} from './jwks';

/** A caller API key for AUTH_MODE=api-key, long enough for the 32-character rule. */
export const CALLER_API_KEY = 'caller-api-key-that-is-at-least-32-characters-long';
/** The identity of the caller JWT in jwt mode; it carries no name or email claim. */
export const CALLER_SUB = 'user-ada';

/** Runs per property: enough to find shallow bugs, few enough to keep the file fast. */
export const RUNS = 150;

/**
 * How long one property's RUNS may take, in ms. About 1 s alone, but three requests a run
 * went past jest's 20 s beside two other full suites on two cores; a hang still fails.
 */
export const PROPERTY_TIMEOUT_MS = 90_000;

export type AuthMode = 'none' | 'api-key' | 'jwt';

export interface ModeUnderTest {
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

/** Starts one loopback server per AUTH_MODE, for every run of every property; for beforeAll. */
export async function startModeServers(): Promise<void> {
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
        MODERATION_RATE_LIMIT_PER_MINUTE: '0',
        LIVEKIT_URL: 'wss://livekit.example.test',
        ...MODE_ENV[mode],
      }),
    );
    // One listening server per mode: supertest would otherwise open a new one per request.
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    modes.set(mode, { server, credentials: credentials[mode] });
  }
}

/** Closes the servers startModeServers started; for afterAll. */
export async function stopModeServers(): Promise<void> {
  await Promise.all(
    [...modes.values()].map(
      ({ server }) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
}

/** The server and credentials of one mode, once startModeServers has run. */
export function modeUnderTest(mode: AuthMode): ModeUnderTest {
  const found = modes.get(mode);
  if (!found) throw new Error(`no server for AUTH_MODE=${mode}`);
  return found;
}

/** Every answer, whatever the input: no 5xx, JSON, and a request id. */
export function expectWellFormedAnswer(response: request.Response): void {
  expect(response.status).toBeLessThan(500);
  expect(response.headers['content-type']).toMatch(/^application\/json\b/);
  expect(() => JSON.parse(response.text) as unknown).not.toThrow();
  expect(response.headers['x-request-id']).toEqual(expect.any(String));
}

/** True when the answer hands out a LiveKit token. */
export function carriesToken(response: request.Response): boolean {
  return response.status === 200 || (response.body as { token?: unknown }).token !== undefined;
}

const CONTROL_CHARACTERS = /\p{Cc}/u;
/** The fields of a /token body whose rules the model below knows. */
const TOKEN_BODY_FIELDS = ['user_email', 'full_name', 'user_id', 'room_name'] as const;
/** Every field /token takes; the model leaves the rules of those beyond TOKEN_BODY_FIELDS open. */
const ALL_TOKEN_BODY_FIELDS = new Set<string>([
  ...TOKEN_BODY_FIELDS,
  'role',
  'metadata',
  'attributes',
  'ttl_seconds',
  'room_config',
]);
/** The camelCase spellings /token takes, each to its field. */
const TOKEN_BODY_SPELLINGS = new Map([
  ['userEmail', 'user_email'],
  ['fullName', 'full_name'],
  ['userId', 'user_id'],
  ['roomName', 'room_name'],
  ['roomConfig', 'room_config'],
  ['ttlSeconds', 'ttl_seconds'],
]);

/** True when every UTF-16 surrogate in the text is half of a pair. */
function surrogatesPaired(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      index += 1;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** Zero-width, bidirectional-control and other invisible characters, code by code. */
const INVISIBLE_CODES = new Set([
  0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060, 0x2061,
  0x2062, 0x2063, 0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff,
]);

function hasInvisible(text: string): boolean {
  return [...text].some((char) => INVISIBLE_CODES.has(char.codePointAt(0) ?? 0));
}

/** What the display-text rule (full_name) accepts. */
export function isPrintableText(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= 256 &&
    !CONTROL_CHARACTERS.test(value) &&
    /\S/.test(value) &&
    surrogatesPaired(value)
  );
}

/** What the identifier rule (user_id, room_name, identities) accepts. */
export function isIdentifierText(value: unknown): boolean {
  return isPrintableText(value) && !hasInvisible(value as string);
}

/** A /token body's fields by their snake_case names, or why its spelling is refused. */
function tokenBodyFields(body: Record<string, unknown>): Map<string, unknown> | string {
  const fields = new Map<string, unknown>();
  for (const [key, value] of Object.entries(body)) {
    const field = TOKEN_BODY_SPELLINGS.get(key) ?? key;
    if (!ALL_TOKEN_BODY_FIELDS.has(field)) return `unknown field ${JSON.stringify(key)}`;
    if (fields.has(field)) return `${field} in both spellings`;
    fields.set(field, value);
  }
  return fields;
}

/** The user_id a /token body asks for, in either spelling, if any. */
export function requestedUserId(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return undefined;
  const fields = body as Record<string, unknown>;
  return Object.hasOwn(fields, 'user_id') ? fields.user_id : fields.userId;
}

/**
 * Why a /token body is certainly invalid in an AUTH_MODE, or undefined when it may be valid.
 * Deliberately a necessary condition only for email addresses (one @, no ASCII space or
 * control character, a dot in the domain) and for the fields beyond TOKEN_BODY_FIELDS (any
 * value), so that it never calls invalid what the server rightly accepts. The caller JWT of
 * jwt mode brings the identity but no name (CALLER_SUB); there full_name is optional.
 */
export function invalidTokenBodyReason(body: unknown, mode: AuthMode): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'not an object';
  const fields = tokenBodyFields(body as Record<string, unknown>);
  if (typeof fields === 'string') return fields;
  const email = fields.get('user_email');
  if (
    fields.has('user_email') &&
    (typeof email !== 'string' ||
      email.length > 254 ||
      [...email].some((char) => char <= ' ' || char === '\u007f') ||
      !surrogatesPaired(email) ||
      hasInvisible(email) ||
      !/^[^@]+@[^@]*\.[^@]*$/.test(email))
  ) {
    return 'bad user_email';
  }
  // With a login, full_name may be left out: the login's name, if printable, stands in.
  if (
    mode === 'jwt'
      ? fields.has('full_name') && !isPrintableText(fields.get('full_name'))
      : !isPrintableText(fields.get('full_name'))
  ) {
    return 'bad or missing full_name';
  }
  if (mode !== 'jwt' && !fields.has('user_id') && !fields.has('user_email')) {
    return 'neither user_id nor user_email';
  }
  for (const optional of ['user_id', 'room_name']) {
    if (fields.has(optional) && !isIdentifierText(fields.get(optional))) return `bad ${optional}`;
  }
  return undefined;
}

/**
 * The body as the server sees it after JSON: -0 becomes 0, undefined members vanish, and no
 * body at all (what sendBody sends for a value JSON cannot write) is read as `{}`.
 */
export function overTheWire(body: unknown): unknown {
  const json = JSON.stringify(body);
  return json === undefined ? {} : (JSON.parse(json) as unknown);
}

/** Any string as a header value may carry: visible ASCII and space. */
export const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 80,
});

/** Strings that break naive validators: controls, blanks, long, unicode. */
export const hostileText = fc.oneof(
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
    'admin\ud800',
    'admin\udc00',
    'adm\u200bin',
    '\u202eadmin',
  ),
);

/** Email-looking strings, valid or nearly so. */
const emailLike = fc.oneof(
  fc.emailAddress(),
  fc.stringMatching(/^[a-z0-9]{1,20}@[a-z0-9]{1,20}\.[a-z]{2,6}$/),
  fc.constantFrom('a@b', '@example.com', 'ada@', 'a b@example.com', `${'a'.repeat(250)}@b.co`),
);

/** Raw request bodies declared as JSON: random text, broken JSON, JSON of odd shape. */
export const rawJsonBody = fc.oneof(
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

/** Text that is certainly valid for a name, an identity and a room name. */
export const validName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .filter((name) => isIdentifierText(name));

/**
 * Bodies that the /token rules certainly accept: full_name, and user_id or user_email (or
 * both) unless a login brings the identity.
 */
export function validTokenBody(mode: AuthMode) {
  return fc
    .record(
      {
        user_email: fc.stringMatching(
          /^[a-z0-9]{1,20}(\.[a-z0-9]{1,10})?@[a-z0-9]{1,20}\.[a-z]{2,6}$/,
        ),
        full_name: validName,
        // In jwt mode the identity comes from the caller JWT, so user_id may only repeat it.
        user_id: mode === 'jwt' ? fc.constant(CALLER_SUB) : validName,
        room_name: validName,
      },
      { requiredKeys: ['full_name'] },
    )
    .filter(
      (body) => mode === 'jwt' || body.user_email !== undefined || body.user_id !== undefined,
    );
}

/**
 * One way to change a /token body: drop a field, set a field (in either spelling) wrong, add
 * a field, or spell a field in camelCase.
 */
const tokenBodyMutation = fc.oneof(
  fc.constantFrom('user_email', 'full_name', 'user_id').map((field) => ({ drop: field })),
  fc.record({
    set: fc.constantFrom(...ALL_TOKEN_BODY_FIELDS, ...TOKEN_BODY_SPELLINGS.keys()),
    to: fc.oneof(hostileText, emailLike, fc.jsonValue({ maxDepth: 2 })),
  }),
  fc.record({
    set: fc.string({ maxLength: 12 }),
    to: fc.jsonValue({ maxDepth: 1 }),
  }),
  fc.constantFrom(...TOKEN_BODY_SPELLINGS.keys()).map((spelling) => ({ respell: spelling })),
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
        } else if ('respell' in mutation) {
          const field = TOKEN_BODY_SPELLINGS.get(mutation.respell) ?? mutation.respell;
          if (Object.hasOwn(body, field)) {
            body[mutation.respell] = body[field];
            delete body[field];
          }
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
export function anyBody(mode: AuthMode): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: tokenLikeBody(mode) },
    { weight: 1, arbitrary: fc.jsonValue() },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  );
}

/** Strings given as a LiveKit token to /validate: random text and JWT-shaped forgeries. */
export const arbitraryTokenText = fc.oneof(
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

/** A POST to one mode's server with the given headers. */
export function post(mode: AuthMode, path: string, headers: Record<string, string>) {
  return request(modeUnderTest(mode).server).post(path).set(headers);
}

/** Sends a body as JSON, or no body at all when JSON has no text for it (undefined). */
export function sendBody(test: request.Test, body: unknown): request.Test {
  const json = JSON.stringify(body);
  return json === undefined ? test : test.set('Content-Type', 'application/json').send(json);
}
