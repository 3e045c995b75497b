// AUTH_MODE=jwt: callers send a JWT from the app's own login, verified against the login
// provider's JWKS (RS256/ES256) or a shared HS256 secret, with issuer and audience pinned.
import * as jose from 'jose';
import type { Caller } from '../caller';
import type { JwtAuthConfig } from '../config';
import { HttpError } from '../errors';
import type { Logger } from '../logger';
import { isIdentifierText } from '../text';
import { KeysUnavailableError, RemoteKeySet } from './jwks';
import { checkOf, loginRefusalLog, type LoginCheck } from './login-refusals';
import type { JwksOptions } from './jwks-options';
import {
  authenticationRequired,
  bearerToken,
  invalidCredentials,
  type PresentedCredentials,
} from './credentials';

/** Clock skew allowed on a login's `exp`, `nbf` and `iat`, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 30;

/** Caller JWTs from the app's own login, verified with pinned algorithms, issuer and audience. */
export function jwtAuthenticator(
  auth: JwtAuthConfig,
  jwks: JwksOptions,
  logger: Logger,
): {
  authenticate: (credentials: PresentedCredentials) => Promise<Caller>;
  notReadyBecause(): string | undefined;
  prepare(): Promise<void>;
} {
  // Algorithms are pinned per key source: a JWKS never verifies HS256, so a token signed
  // with the public key as an HMAC secret (algorithm confusion) fails.
  let verify: (token: string) => Promise<jose.JWTVerifyResult>;
  let keySet: RemoteKeySet | undefined;
  if (auth.jwksUrl) {
    keySet = new RemoteKeySet(auth.jwksUrl, jwks, logger);
    const options = verifyOptions(auth, ['RS256', 'ES256']);
    const { getKey } = keySet;
    verify = (token) => jose.jwtVerify(token, getKey, options);
  } else {
    const secret = new TextEncoder().encode(auth.jwtSecret ?? '');
    const options = verifyOptions(auth, ['HS256']);
    verify = (token) => jose.jwtVerify(token, secret, options);
  }

  const logRefusal = loginRefusalLog(auth, logger);
  const refuse = (check: LoginCheck, why: string): HttpError => {
    logRefusal(check);
    return invalidCredentials(why);
  };

  const authenticate = async ({ authorization }: PresentedCredentials): Promise<Caller> => {
    const token = bearerToken(authorization);
    if (token === undefined) {
      throw authenticationRequired('send your login token as Authorization: Bearer <jwt>');
    }
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await verify(token));
    } catch (error) {
      throw refusal(error, logger, logRefusal);
    }
    // jose checks iat only against a maximum age; a login from the future is forged or
    // from a badly wrong clock, and would outlive its real lifetime.
    if (
      typeof payload.iat === 'number' &&
      payload.iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS
    ) {
      throw refuse('issued_in_future', 'The login token is issued in the future (iat).');
    }
    const identity = payload[auth.identityClaim];
    // Held to the same rule as a user_id in the body.
    if (!isIdentifierText(identity)) {
      throw refuse(
        'identity_claim',
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
  return {
    authenticate,
    notReadyBecause: () =>
      keySet === undefined || keySet.ready
        ? undefined
        : "the login provider's keys (AUTH_JWKS_URL) have not been fetched yet",
    prepare: async () => {
      await keySet?.prefetch();
    },
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

function verifyOptions(auth: JwtAuthConfig, algorithms: string[]): jose.JWTVerifyOptions {
  return {
    algorithms,
    issuer: auth.issuer,
    audience: auth.audience,
    requiredClaims: ['exp'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
  };
}

/**
 * A caller's bad token is a 401, logged by the check it failed; a key server we cannot reach
 * is our problem, a 503.
 */
function refusal(
  error: unknown,
  logger: Logger,
  logRefusal: (check: LoginCheck, payload?: jose.JWTPayload) => void,
): HttpError {
  // The key set logs its own outages, once each; anything else unexpected is logged here.
  const keysUnavailable =
    error instanceof KeysUnavailableError || !(error instanceof jose.errors.JOSEError);
  if (keysUnavailable) {
    if (!(error instanceof KeysUnavailableError)) {
      logger.warn('cannot verify a login token', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return new HttpError(
      'AUTH_UNAVAILABLE',
      'The login provider’s keys cannot be fetched right now; try again shortly.',
    );
  }
  const payload = error instanceof jose.errors.JWTClaimValidationFailed ? error.payload : undefined;
  logRefusal(checkOf(error), payload);
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
