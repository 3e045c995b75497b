// What a request presents to prove who it is (Authorization, X-API-Key), and the 401
// answers for missing or wrong credentials, shared by every authentication mode.
import { HttpError } from '../errors';

/** The credentials a request carries, as sent. */
export interface PresentedCredentials {
  /** The Authorization header. */
  authorization: string | undefined;
  /** The X-API-Key header. */
  apiKey: string | undefined;
}

const REALM = 'livekit-token-server';

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** 401 for a request without credentials, saying how to send them. */
export function authenticationRequired(how: string): HttpError {
  return new HttpError('AUTHENTICATION_REQUIRED', `Authentication required: ${how}.`, {
    headers: { 'WWW-Authenticate': `Bearer realm="${REALM}"` },
  });
}

/** 401 for credentials that do not hold. */
export function invalidCredentials(why: string): HttpError {
  return new HttpError('INVALID_CREDENTIALS', why, {
    headers: { 'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
  });
}
