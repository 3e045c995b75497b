// Caller authentication: builds the check for the configured AUTH_MODE, and the middleware
// that runs it on each request before the rate limit and the body.
import type { RequestHandler } from 'express';
import { ANONYMOUS, type Caller } from '../caller';
import type { AuthConfig } from '../config';
import { HttpError } from '../errors';
import type { Logger } from '../logger';
import { apiKeyAuthenticator } from './api-key';
import type { PresentedCredentials } from './credentials';
import type { JwksOptions } from './jwks-options';
import { outcomeOfCaller, outcomeOfRefusal, type AuthenticationOutcome } from './outcome';
import type * as JwtModule from './jwt';

export { bearerToken, type PresentedCredentials } from './credentials';
export { DEFAULT_JWKS_OPTIONS, type JwksOptions } from './jwks-options';
export { AUTHENTICATION_OUTCOMES, type AuthenticationOutcome } from './outcome';

/** Establishes who a request comes from, or throws a 401/503 HttpError. */
export type Authenticate = (credentials: PresentedCredentials) => Promise<Caller>;

/** How callers are authenticated, and whether that can work yet. */
export interface CallerAuthentication {
  /** The check for each request; undefined when callers go unchecked (AUTH_MODE=none). */
  authenticate: Authenticate | undefined;
  /** Why logins cannot be checked yet (no key set fetched so far), or undefined. */
  notReadyBecause(): string | undefined;
  /** Fetches what checking needs ahead of the first login (the JWKS); never throws. */
  prepare(): Promise<void>;
}

/** Builds the authentication for a configuration. */
export function createCallerAuthentication(
  auth: AuthConfig,
  jwks: JwksOptions,
  logger: Logger,
): CallerAuthentication {
  switch (auth.mode) {
    case 'none':
      return { authenticate: undefined, notReadyBecause: () => undefined, prepare: async () => {} };
    case 'api-key':
      return {
        authenticate: apiKeyAuthenticator(auth.callerApiKeys),
        notReadyBecause: () => undefined,
        prepare: async () => {},
      };
    case 'jwt': {
      // Loaded here, not at the top: jose costs 25 ms of start-up that other modes never use.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { jwtAuthenticator } = require('./jwt') as typeof JwtModule;
      return jwtAuthenticator(auth, jwks, logger);
    }
  }
}

/**
 * Establishes the caller into `res.locals.caller`, and tells `countOutcome` how it ended. A
 * refusal is kept in `res.locals.authError` rather than thrown at once, so that the rate
 * limit still counts failed attempts (per IP) before requireAuthentication answers them.
 */
export function authenticateRequest(
  authenticate: Authenticate | undefined,
  countOutcome: (outcome: AuthenticationOutcome) => void = () => {},
): RequestHandler {
  if (authenticate === undefined) {
    // Nothing to check: stay synchronous on the busiest path.
    return (_req, res, next) => {
      res.locals.caller = ANONYMOUS;
      countOutcome('anonymous');
      next();
    };
  }
  return async (req, res, next) => {
    try {
      const caller = await authenticate({
        authorization: req.get('authorization'),
        apiKey: req.get('x-api-key'),
      });
      res.locals.caller = caller;
      countOutcome(outcomeOfCaller(caller));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      res.locals.authError = error;
      countOutcome(outcomeOfRefusal(error.code));
    }
    next();
  };
}

/** Answers a request whose authentication failed with that failure. */
export const requireAuthentication: RequestHandler = (_req, res, next) => {
  next(res.locals.authError);
};
