import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import * as jose from 'jose';
import type { AuthConfig } from './config';
import { HttpError } from './errors';
import type { Logger } from './logger';
import { isPrintableText } from './validation';

/** Who is calling, as the server established it. */
export type Caller =
  | { kind: 'anonymous' }
  | {
      kind: 'api-key';
      /** Which configured key matched, as `key-1`, `key-2`...: never the key itself. */
      keyId: string;
    }
  | {
      kind: 'jwt';
      /** The verified identity claim: the LiveKit identity of every token for this caller. */
      identity: string;
      /** The login's `name` claim, when it is a string. */
      name: string | undefined;
      /** The login's `email` claim, when it is a string. */
      email: string | undefined;
      /** Roles the login grants, from the claim named by AUTH_ROLES_CLAIM. */
      roles: readonly string[];
    };

const ANONYMOUS: Caller = { kind: 'anonymous' };

/** The credentials a request carries, as sent. */
export interface Credentials {
  /** The Authorization header. */
  authorization: string | undefined;
  /** The X-API-Key header. */
  apiKey: string | undefined;
}

/** Establishes who a request comes from, or throws a 401/503 HttpError. */
export type Authenticate = (credentials: Credentials) => Promise<Caller>;

const REALM = 'livekit-token-server';

function authenticationRequired(how: string): HttpError {
  return new HttpError(
    401,
    'AUTHENTICATION_REQUIRED',
    `Authentication required: ${how}.`,
    undefined,
    {
      'WWW-Authenticate': `Bearer realm="${REALM}"`,
    },
  );
}

function invalidCredentials(why: string): HttpError {
  return new HttpError(401, 'INVALID_CREDENTIALS', why, undefined, {
    'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token"`,
  });
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(authorization ?? '');
  return match?.[1];
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * API keys for trusted backends. Each candidate is compared with every configured key, in
 * constant time over equal-length digests, so timing tells nothing about any key.
 */
function apiKeyAuthenticator(apiKeys: string[]): Authenticate {
  const digests = apiKeys.map(sha256);
  return async ({ authorization, apiKey }) => {
    const candidate = apiKey ?? bearerToken(authorization);
    if (candidate === undefined) {
      throw authenticationRequired('send your API key as X-API-Key or Authorization: Bearer');
    }
    const candidateDigest = sha256(candidate);
    let matched = -1;
    digests.forEach((digest, index) => {
      if (timingSafeEqual(digest, candidateDigest)) matched = index;
    });
    if (matched === -1) throw invalidCredentials('The API key is not valid.');
    return { kind: 'api-key', keyId: `key-${matched + 1}` };
  };
}

/** Options for verifying caller JWTs against a JWKS. */
export interface JwksOptions {
  /** Least time between two JWKS fetches caused by an unknown `kid`, in milliseconds. */
  cooldownMs: number;
}

/** Caller JWTs from the app's own login, verified with pinned algorithms, issuer and audience. */
function jwtAuthenticator(
  auth: Extract<AuthConfig, { mode: 'jwt' }>,
  jwks: JwksOptions,
  logger: Logger,
): Authenticate {
  // Algorithms are pinned per key source: a JWKS never verifies HS256, so a token signed
  // with the public key as an HMAC secret (algorithm confusion) fails.
  let verify: (token: string) => Promise<jose.JWTVerifyResult>;
  if (auth.jwksUrl) {
    const keySet = jose.createRemoteJWKSet(new URL(auth.jwksUrl), {
      cooldownDuration: jwks.cooldownMs,
      cacheMaxAge: 10 * 60 * 1000,
      timeoutDuration: 5000,
    });
    const options = verifyOptions(auth, ['RS256', 'ES256']);
    verify = (token) => jose.jwtVerify(token, keySet, options);
  } else {
    const secret = new TextEncoder().encode(auth.jwtSecret ?? '');
    const options = verifyOptions(auth, ['HS256']);
    verify = (token) => jose.jwtVerify(token, secret, options);
  }

  return async ({ authorization }) => {
    const token = bearerToken(authorization);
    if (token === undefined) {
      throw authenticationRequired('send your login token as Authorization: Bearer <jwt>');
    }
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await verify(token));
    } catch (error) {
      throw refusal(error, logger);
    }
    const identity = payload[auth.identityClaim];
    // Held to the same rule as a user_id in the body.
    if (!isPrintableText(identity)) {
      throw invalidCredentials(
        `The login token has no usable ${auth.identityClaim} claim to take the identity from.`,
      );
    }
    return {
      kind: 'jwt',
      identity,
      name: typeof payload.name === 'string' ? payload.name : undefined,
      email: typeof payload.email === 'string' ? payload.email : undefined,
      roles: auth.rolesClaim === undefined ? [] : rolesIn(payload, auth.rolesClaim),
    };
  };
}

/**
 * The role names in a login's roles claim: a list of strings, or one string of names
 * separated by spaces or commas (as OAuth scopes are). A claim of exactly that name comes
 * first (Auth0's are URLs such as `https://app.example.com/roles`); else `a.b` reads claim b
 * inside claim a, as Keycloak nests `realm_access.roles`. Anything else grants no role.
 */
export function rolesIn(payload: jose.JWTPayload, claimPath: string): string[] {
  let value: unknown = payload;
  const path = Object.hasOwn(payload, claimPath) ? [claimPath] : claimPath.split('.');
  for (const name of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, name)) return [];
    value = (value as Record<string, unknown>)[name];
  }
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((role) => role !== '');
  if (Array.isArray(value)) return value.filter((role): role is string => typeof role === 'string');
  return [];
}

function verifyOptions(
  auth: Extract<AuthConfig, { mode: 'jwt' }>,
  algorithms: string[],
): jose.JWTVerifyOptions {
  return {
    algorithms,
    issuer: auth.issuer,
    audience: auth.audience,
    requiredClaims: ['exp'],
    clockTolerance: 30,
  };
}

/** A caller's bad token is a 401; a key server we cannot reach is our problem, a 503. */
function refusal(error: unknown, logger: Logger): HttpError {
  // jose throws its bare base class (ERR_JOSE_GENERIC) only when the JWKS answers an HTTP
  // error or something that is not JSON: the login provider's outage, not the caller's fault.
  const keysUnavailable =
    error instanceof jose.errors.JWKSTimeout ||
    error instanceof jose.errors.JWKSInvalid ||
    !(error instanceof jose.errors.JOSEError) ||
    error.code === 'ERR_JOSE_GENERIC';
  if (keysUnavailable) {
    logger.warn('cannot fetch the login provider keys', {
      error: error instanceof Error ? error.message : String(error),
    });
    return new HttpError(
      503,
      'AUTH_UNAVAILABLE',
      'The login provider’s keys cannot be fetched right now; try again shortly.',
    );
  }
  if (error instanceof jose.errors.JWTExpired) {
    return invalidCredentials('The login token has expired.');
  }
  if (error instanceof jose.errors.JWKSNoMatchingKey) {
    return invalidCredentials(
      'The login token is signed with a key the login provider does not list.',
    );
  }
  return invalidCredentials('The login token is not valid for this server.');
}

/** Builds the authentication for a configuration; undefined when callers go unchecked. */
export function createAuthenticate(
  auth: AuthConfig,
  jwks: JwksOptions,
  logger: Logger,
): Authenticate | undefined {
  switch (auth.mode) {
    case 'none':
      return undefined;
    case 'api-key':
      return apiKeyAuthenticator(auth.apiKeys);
    case 'jwt':
      return jwtAuthenticator(auth, jwks, logger);
  }
}

/**
 * Establishes the caller into `res.locals.caller`. A refusal is kept in
 * `res.locals.authError` rather than thrown at once, so that the rate limit still counts
 * failed attempts (per IP) before requireAuthentication answers them.
 */
export function authenticateRequest(authenticate: Authenticate | undefined): RequestHandler {
  if (authenticate === undefined) {
    // Nothing to check: stay synchronous on the busiest path.
    return (_req, res, next) => {
      res.locals.caller = ANONYMOUS;
      next();
    };
  }
  return async (req, res, next) => {
    try {
      res.locals.caller = await authenticate({
        authorization: req.get('authorization'),
        apiKey: req.get('x-api-key'),
      });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      res.locals.authError = error;
    }
    next();
  };
}

/** Answers a request whose authentication failed with that failure. */
export const requireAuthentication: RequestHandler = (_req, res, next) => {
  next(res.locals.authError);
};

/** The caller established by authenticateRequest. */
export function callerOf(locals: Record<string, unknown>): Caller {
  return (locals.caller as Caller | undefined) ?? ANONYMOUS;
}
