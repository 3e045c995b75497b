// Caller authentication: builds the check for the configured AUTH_MODE, and the middleware
// that runs it on each request before the rate limit and the body.
import type { RequestHandler } from 'express';
import { ANONYMOUS, type Caller } from '../caller';
import type { AuthConfig } from '../config';
import { HttpError } from '../errors';
import type { Logger } from '../logger';
import { apiKeyAuthenticator } from './api-key';
import type { PresentedCredentials } from './credentials';
import type { JwksOptions } from './jwks';
import { jwtAuthenticator } from './jwt';

export { bearerToken, type PresentedCredentials } from './credentials';
export { DEFAULT_JWKS_OPTIONS, type JwksOptions } from './jwks';

/** Establishes who a request comes from, or throws a 401/503 HttpError. */
export type Authenticate = (credentials: PresentedCredentials) => Promise<Caller>;

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
      return apiKeyAuthenticator(auth.callerApiKeys);
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
