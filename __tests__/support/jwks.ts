import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import { nowSeconds } from './fixtures';

/** The identity provider the caller JWTs in the tests claim to come from. */
export const CALLER_ISSUER = 'https://id.example.test/';
/** The audience the token server expects in caller JWTs. */
export const CALLER_AUDIENCE = 'livekit-token-server';
/** An HS256 secret for AUTH_JWT_SECRET, long enough for the 32-character rule. */
export const CALLER_JWT_SECRET = 'caller-jwt-secret-that-is-at-least-32-characters';

/** The asymmetric algorithms the server accepts from a JWKS. */
export type CallerAlgorithm = 'RS256' | 'ES256';

/** A signing key of the test identity provider, and the public JWK the JWKS serves for it. */
export interface CallerKey {
  /** Key id, written as `kid` in the JWK and in the JWT header. */
  kid: string;
  /** The algorithm the key is for, written as `alg` in the JWK. */
  alg: CallerAlgorithm;
  /** Signs caller JWTs; never served. */
  privateKey: jose.KeyLike;
  /** The public key as a PEM SubjectPublicKeyInfo, the classic algorithm-confusion secret. */
  publicPem: string;
  /** The public key as the JWKS serves it: with kid, alg and use 'sig'. */
  publicJwk: jose.JWK;
}

/** Generates a fresh key pair for an algorithm, with a unique kid unless one is given. */
export async function generateCallerKey(alg: CallerAlgorithm, kid?: string): Promise<CallerKey> {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
  const keyId = kid ?? `${alg.toLowerCase()}-${randomUUID()}`;
  return {
    kid: keyId,
    alg,
    privateKey,
    publicPem: await jose.exportSPKI(publicKey),
    publicJwk: { ...(await jose.exportJWK(publicKey)), kid: keyId, alg, use: 'sig' },
  };
}

/** The same key as served by providers whose JWKs leave out the optional `alg` member. */
export function withoutJwkAlg(key: CallerKey): CallerKey {
  const publicJwk = Object.fromEntries(
    Object.entries(key.publicJwk).filter(([member]) => member !== 'alg'),
  ) as jose.JWK;
  return { ...key, publicJwk };
}

/** Ways a JWKS endpoint fails: an HTTP 500, or an answer that is not a key set. */
export type JwksFault = 'http-500' | 'not-json';

/**
 * A JWKS endpoint on a real loopback port, as an identity provider serves one. The key set
 * can be replaced (key rollover) and every fetch is counted, so tests can check caching.
 */
export class JwksServer {
  private readonly server: Server;
  private fetches = 0;
  private fault: JwksFault | undefined;

  private constructor(private keys: CallerKey[]) {
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/.well-known/jwks.json') {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      this.fetches += 1;
      if (this.fault === 'http-500') {
        res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"error":"down"}');
        return;
      }
      if (this.fault === 'not-json') {
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>maintenance</html>');
        return;
      }
      const body = JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    });
  }

  /** Starts serving the public halves of the keys on 127.0.0.1 and an ephemeral port. */
  static async start(keys: CallerKey[]): Promise<JwksServer> {
    return JwksServer.startOn(0, keys);
  }

  /** Starts serving on a given loopback port (0: any free one). */
  static async startOn(port: number, keys: CallerKey[]): Promise<JwksServer> {
    const jwks = new JwksServer(keys);
    await new Promise<void>((resolve, reject) => {
      jwks.server.once('error', reject);
      jwks.server.listen(port, '127.0.0.1', () => resolve());
    });
    return jwks;
  }

  /** The JWKS URL, for AUTH_JWKS_URL. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/.well-known/jwks.json`;
  }

  /** How many times the key set was fetched since the server started. */
  get fetchCount(): number {
    return this.fetches;
  }

  /** Serves another key set from now on, as an identity provider does when it rolls keys. */
  rotate(keys: CallerKey[]): void {
    this.keys = keys;
  }

  /** Answers every fetch with a fault from now on, or serves keys again when undefined. */
  breakWith(fault: JwksFault | undefined): void {
    this.fault = fault;
  }

  /** Stops the server, dropping kept-alive connections so that afterAll does not hang. */
  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }
}

/** What a caller JWT says beyond the claims; `undefined` leaves a registered claim out. */
export interface CallerJwtOptions {
  /** Private claims such as sub, name, email; an `undefined` value removes the claim. */
  claims?: Record<string, unknown>;
  /** `iss`; CALLER_ISSUER by default. */
  issuer?: string | undefined;
  /** `aud`; CALLER_AUDIENCE by default. */
  audience?: string | string[] | undefined;
  /** `exp` in seconds since the epoch; ten minutes from now by default. */
  expiresAt?: number | undefined;
  /** `nbf` in seconds since the epoch; left out by default. */
  notBefore?: number;
  /** `kid` in the header; the key's own by default. */
  kid?: string;
  /** `alg` in the header; the key's own by default (RS512 with an RSA key, say). */
  alg?: string;
}

/** The claims of a caller who signed in as Ada. */
export const ADA_CLAIMS = {
  sub: 'user-ada',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
} as const;

function withoutUndefined(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

/** The full payload of a caller JWT, defaults applied. */
export function callerPayload(options: CallerJwtOptions = {}): Record<string, unknown> {
  const has = (name: keyof CallerJwtOptions): boolean => Object.hasOwn(options, name);
  return withoutUndefined({
    iss: has('issuer') ? options.issuer : CALLER_ISSUER,
    aud: has('audience') ? options.audience : CALLER_AUDIENCE,
    iat: nowSeconds(),
    nbf: options.notBefore,
    exp: has('expiresAt') ? options.expiresAt : nowSeconds() + 600,
    ...(options.claims ?? ADA_CLAIMS),
  });
}

/** A caller JWT signed by an identity provider key, as a signed-in user's session token. */
export async function callerJwt(key: CallerKey, options: CallerJwtOptions = {}): Promise<string> {
  return new jose.SignJWT(callerPayload(options))
    .setProtectedHeader({ alg: options.alg ?? key.alg, kid: options.kid ?? key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

/** A caller JWT signed with a shared HS256 secret (AUTH_JWT_SECRET mode). */
export async function callerJwtWithSecret(
  secret: string,
  options: CallerJwtOptions = {},
): Promise<string> {
  return new jose.SignJWT(callerPayload(options))
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * A JWT signed by hand with HMAC, so that no library refuses to build it: the classic
 * algorithm confusion uses the RSA public key (which anyone can fetch) as the HMAC secret.
 */
export function hmacJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: string | Buffer,
): string {
  const signingInput = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** An unsigned caller JWT with `alg: none`, naming a kid if one is given. */
export function unsignedCallerJwt(kid?: string, options: CallerJwtOptions = {}): string {
  const header = kid === undefined ? { alg: 'none', typ: 'JWT' } : { alg: 'none', typ: 'JWT', kid };
  return `${base64urlJson(header)}.${base64urlJson(callerPayload(options))}.`;
}

/** Replaces claims in a signed JWT while keeping its signature. */
export function tamperClaims(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  return `${header}.${base64urlJson({ ...claims, ...changes })}.${signature}`;
}

/** What the hostile caller JWTs are built around. */
export interface HostileOptions {
  /** The claims of a caller who would be accepted; ADA_CLAIMS by default. */
  claims?: Record<string, unknown>;
  /** The claim the server takes the identity from; `sub` by default. */
  identityClaim?: string;
}

/** Every kind of caller JWT the server must refuse with 401 INVALID_CREDENTIALS. */
export const HOSTILE_CALLER_JWTS = [
  'an expiry past the 30 s tolerance',
  'a not-before past the 30 s tolerance',
  'another audience',
  'no audience',
  'another issuer',
  'no issuer',
  'a key the JWKS does not serve (unknown kid)',
  'a key the JWKS does not serve, under a served kid',
  'alg none',
  'HS256 signed with the RSA public key PEM (algorithm confusion)',
  'HS256 signed with the RSA public JWK JSON (algorithm confusion)',
  'HS256 signed with the RSA modulus bytes (algorithm confusion)',
  'RS512, an algorithm the server does not pin, with the served key',
  'no identity claim',
  'a non-string identity claim',
  'a blank identity claim',
  'a tampered identity claim',
  'a truncated signature',
  'garbage',
] as const;

/** One kind of hostile caller JWT, by its label. */
export type HostileCallerJwt = (typeof HOSTILE_CALLER_JWTS)[number];

/**
 * Every hostile caller JWT by label, built around a key the JWKS serves (`served`, an RSA
 * key so that the algorithm-confusion cases apply) and one it does not (`stranger`).
 * `claims` are those of a caller who would be accepted; `identityClaim` names the claim the
 * server takes the identity from.
 */
export async function hostileCallerJwts(
  served: CallerKey,
  stranger: CallerKey,
  { claims = ADA_CLAIMS, identityClaim = 'sub' }: HostileOptions = {},
): Promise<Record<HostileCallerJwt, string>> {
  const now = nowSeconds();
  const valid = await callerJwt(served, { claims });
  const confusedHeader = { alg: 'HS256', typ: 'JWT', kid: served.kid };
  return {
    'an expiry past the 30 s tolerance': await callerJwt(served, { claims, expiresAt: now - 120 }),
    'a not-before past the 30 s tolerance': await callerJwt(served, {
      claims,
      notBefore: now + 120,
    }),
    'another audience': await callerJwt(served, { claims, audience: 'another-service' }),
    'no audience': await callerJwt(served, { claims, audience: undefined }),
    'another issuer': await callerJwt(served, { claims, issuer: 'https://evil.test/' }),
    'no issuer': await callerJwt(served, { claims, issuer: undefined }),
    'a key the JWKS does not serve (unknown kid)': await callerJwt(stranger, { claims }),
    'a key the JWKS does not serve, under a served kid': await callerJwt(stranger, {
      claims,
      kid: served.kid,
    }),
    'alg none': unsignedCallerJwt(served.kid, { claims }),
    'HS256 signed with the RSA public key PEM (algorithm confusion)': hmacJwt(
      confusedHeader,
      callerPayload({ claims }),
      served.publicPem,
    ),
    'HS256 signed with the RSA public JWK JSON (algorithm confusion)': hmacJwt(
      confusedHeader,
      callerPayload({ claims }),
      JSON.stringify(served.publicJwk),
    ),
    'HS256 signed with the RSA modulus bytes (algorithm confusion)': hmacJwt(
      confusedHeader,
      callerPayload({ claims }),
      Buffer.from(served.publicJwk.n ?? '', 'base64url'),
    ),
    'RS512, an algorithm the server does not pin, with the served key': await callerJwt(served, {
      claims,
      alg: 'RS512',
    }),
    'no identity claim': await callerJwt(served, {
      claims: withoutUndefined({ ...claims, [identityClaim]: undefined }),
    }),
    'a non-string identity claim': await callerJwt(served, {
      claims: { ...claims, [identityClaim]: 42 },
    }),
    'a blank identity claim': await callerJwt(served, {
      claims: { ...claims, [identityClaim]: '   ' },
    }),
    'a tampered identity claim': tamperClaims(valid, { [identityClaim]: 'someone-else' }),
    'a truncated signature': valid.slice(0, -10),
    garbage: 'not-a-jwt',
  };
}
