import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { loadConfig, type Config } from '../../server/src/config';

/** Credentials used across the tests; the secret is long enough for LiveKit's rule. */
export const TEST_API_KEY = 'APItestkey123';
export const TEST_API_SECRET = 'test-secret-that-is-at-least-32-characters-long';

/** Where this test process keeps its apps' moderation state; removed when it exits. */
const DATA_DIRS = join(tmpdir(), `lkts-data-${process.pid}`);
process.once('exit', () => rmSync(DATA_DIRS, { recursive: true, force: true }));

/** A new, empty DATA_DIR (created as the server creates it: on first use). */
export function freshDataDir(): string {
  mkdirSync(DATA_DIRS, { recursive: true });
  return join(mkdtempSync(join(DATA_DIRS, 'app-')), 'data');
}

/**
 * A configuration as loadConfig builds it, with test credentials, rate limits off (the rate
 * limit has tests of its own) and any overrides.
 */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    // Each app its own moderation state: no ban or seat of one test reaches another.
    DATA_DIR: freshDataDir(),
    LIVEKIT_API_KEY: TEST_API_KEY,
    LIVEKIT_API_SECRET: TEST_API_SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    VALIDATE_RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  });
}

/**
 * The video grants each built-in role should give, besides `room`: written out here from
 * the issue rather than taken from the server's roles, so that a change there fails tests.
 */
export const EXPECTED_ROLE_GRANTS = {
  participant: { roomJoin: true, canPublish: true, canSubscribe: true, canUpdateOwnMetadata: true },
  viewer: { roomJoin: true, canSubscribe: true, canPublish: false, canPublishData: false },
  host: {
    roomJoin: true,
    canPublish: true,
    canSubscribe: true,
    canUpdateOwnMetadata: true,
    roomAdmin: true,
    roomRecord: true,
  },
} as const;

/** Seconds since the epoch, now. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A LiveKit-shaped payload valid for an hour, with overrides (undefined removes a claim). */
export function livekitPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    name: 'Ada Lovelace',
    video: { roomJoin: true, room: 'test-room', canPublish: true, canSubscribe: true },
    iss: TEST_API_KEY,
    sub: 'ada',
    nbf: nowSeconds(),
    exp: nowSeconds() + 3600,
    ...overrides,
  };
  for (const [claim, value] of Object.entries(payload)) {
    if (value === undefined) delete payload[claim];
  }
  return payload;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

const HMAC_HASHES = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;

/**
 * Signs a payload exactly as given, with any HMAC algorithm and secret. Written by hand so
 * that no library adds claims to, or refuses, the hostile payloads the tests need.
 */
export function signRaw(
  payload: Record<string, unknown>,
  options: {
    secret?: string;
    algorithm?: keyof typeof HMAC_HASHES;
    /** Header parameters beside alg and typ, such as crit. */
    header?: Record<string, unknown>;
  } = {},
): string {
  const algorithm = options.algorithm ?? 'HS256';
  const header = { alg: algorithm, typ: 'JWT', ...options.header };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac(HMAC_HASHES[algorithm], options.secret ?? TEST_API_SECRET)
    .update(signingInput)
    .digest('base64url');
  return `${signingInput}.${signature}`;
}

/** An unsigned token with `alg: none`, the classic bypass attempt. */
export function unsignedToken(payload: Record<string, unknown>): string {
  return `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}.`;
}

/** A token with a given header and payload segment and a junk signature. */
export function forgedToken(header: Record<string, unknown>, payloadSegment: string): string {
  return `${base64url(JSON.stringify(header))}.${payloadSegment}.${base64url('not-a-signature')}`;
}

/** Replaces the payload of a signed token while keeping its signature. */
export function tamperPayload(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  return `${header}.${base64url(JSON.stringify({ ...claims, ...changes }))}.${signature}`;
}

/** Decodes a JWT segment without checking anything, for assertions. */
export function decodeSegment(token: string, index: 0 | 1): Record<string, unknown> {
  const segment = token.split('.')[index] ?? '';
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Every hostile token the server must refuse, with the code it must answer. */
export function hostileTokens(): Array<{
  label: string;
  token: string;
  code: string;
  /** The SDK's TokenVerifier is laxer here; LiveKit's Go server and we refuse. */
  sdkAccepts?: true;
}> {
  const valid = signRaw(livekitPayload());
  return [
    { label: 'alg none', token: unsignedToken(livekitPayload()), code: 'UNSUPPORTED_ALGORITHM' },
    {
      label: 'HS512 signed with our own secret',
      token: signRaw(livekitPayload(), { algorithm: 'HS512' }),
      code: 'UNSUPPORTED_ALGORITHM',
      sdkAccepts: true,
    },
    {
      label: 'an RS256 header',
      token: forgedToken({ alg: 'RS256', typ: 'JWT' }, base64url(JSON.stringify(livekitPayload()))),
      code: 'UNSUPPORTED_ALGORITHM',
    },
    {
      label: 'a wrong secret',
      token: signRaw(livekitPayload(), { secret: 'another-secret-of-at-least-32-characters' }),
      code: 'BAD_SIGNATURE',
    },
    {
      label: 'a wrong issuer',
      token: signRaw(livekitPayload({ iss: 'someone-else' })),
      code: 'WRONG_ISSUER',
    },
    {
      label: 'no issuer',
      token: signRaw(livekitPayload({ iss: undefined })),
      code: 'WRONG_ISSUER',
    },
    {
      label: 'an exp of 1e20, past any date (a RangeError once)',
      token: signRaw(livekitPayload({ exp: 1e20 })),
      code: 'MALFORMED_TOKEN',
      sdkAccepts: true,
    },
    {
      label: 'an nbf of -1e20',
      token: signRaw(livekitPayload({ nbf: -1e20 })),
      code: 'MALFORMED_TOKEN',
      sdkAccepts: true,
    },
    {
      label: 'an iat of 1e300',
      token: signRaw(livekitPayload({ iat: 1e300 })),
      code: 'MALFORMED_TOKEN',
      sdkAccepts: true,
    },
    {
      label: 'a crit header naming an extension nobody implements (RFC 7515)',
      token: signRaw(livekitPayload(), { header: { crit: ['exp-ext'], 'exp-ext': true } }),
      code: 'MALFORMED_TOKEN',
    },
    {
      label: 'an expiry past the leeway',
      token: signRaw(livekitPayload({ nbf: nowSeconds() - 3600, exp: nowSeconds() - 120 })),
      code: 'TOKEN_EXPIRED',
    },
    {
      label: 'a not-before past the leeway',
      token: signRaw(livekitPayload({ nbf: nowSeconds() + 120 })),
      code: 'TOKEN_NOT_YET_VALID',
    },
    {
      label: 'no exp',
      token: signRaw(livekitPayload({ exp: undefined })),
      code: 'MISSING_EXPIRY',
    },
    {
      label: 'a string exp',
      token: signRaw(livekitPayload({ exp: 'tomorrow' })),
      code: 'MALFORMED_TOKEN',
    },
    {
      label: 'a numeric sub',
      token: signRaw(livekitPayload({ sub: 42 })),
      code: 'MALFORMED_TOKEN',
      sdkAccepts: true,
    },
    {
      label: 'a tampered payload',
      token: tamperPayload(valid, {
        video: { roomJoin: true, room: 'test-room', roomAdmin: true },
      }),
      code: 'BAD_SIGNATURE',
    },
    {
      label: 'a truncated signature',
      token: valid.slice(0, -10),
      code: 'BAD_SIGNATURE',
    },
    {
      label: 'a token cut in the payload',
      token: valid.slice(0, valid.indexOf('.') + 10),
      code: 'MALFORMED_TOKEN',
    },
    {
      label: 'a payload that is not JSON',
      token: forgedToken({ alg: 'HS256', typ: 'JWT' }, base64url('{not json')),
      code: 'MALFORMED_TOKEN',
    },
    {
      label: 'a JSON array payload',
      token: forgedToken({ alg: 'HS256', typ: 'JWT' }, base64url('[1,2,3]')),
      code: 'MALFORMED_TOKEN',
    },
    { label: 'garbage', token: 'this is not a token at all', code: 'MALFORMED_TOKEN' },
    { label: 'three empty segments', token: '..', code: 'MALFORMED_TOKEN' },
  ];
}
