// Why a login JWT was refused, for the operator: the caller gets one answer for every bad
// token (a wrong `aud` and a wrong `iss` look alike from outside), while the log names the
// check that failed, and for `iss` and `aud` what the token said against what is
// configured: the usual misconfiguration. At most one line per check a minute, with a count
// of the refusals since, so that a flood of bad tokens cannot flood the log. Never the token.
import * as jose from 'jose';
import type { JwtAuthConfig } from '../config';
import type { Logger } from '../logger';

/** The checks a login JWT can fail, as the log names them. */
export type LoginCheck =
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'issuer'
  | 'audience'
  | 'other_claim'
  | 'signature'
  | 'unknown_key'
  | 'algorithm'
  | 'malformed'
  | 'identity_claim';

/** Least time between two log lines about the same check, in milliseconds. */
export const LOGIN_REFUSAL_LOG_INTERVAL_MS = 60_000;

/** Longest claim value logged, in characters: a real issuer or audience is far shorter. */
const MAX_LOGGED_CLAIM_LENGTH = 200;

/** The check a jose error stands for. */
export function checkOf(error: jose.errors.JOSEError): LoginCheck {
  if (error instanceof jose.errors.JWTExpired) return 'expired';
  if (error instanceof jose.errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return 'issuer';
      case 'aud':
        return 'audience';
      case 'nbf':
        return 'not_yet_valid';
      default:
        return 'other_claim';
    }
  }
  if (error instanceof jose.errors.JWSSignatureVerificationFailed) return 'signature';
  if (error instanceof jose.errors.JWKSNoMatchingKey) return 'unknown_key';
  if (error instanceof jose.errors.JOSEAlgNotAllowed) return 'algorithm';
  return 'malformed';
}

/** A claim of a token as it may be logged: text, bounded; anything else by its type. */
function loggable(value: unknown): string {
  if (typeof value === 'string') return value.slice(0, MAX_LOGGED_CLAIM_LENGTH);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return JSON.stringify(value).slice(0, MAX_LOGGED_CLAIM_LENGTH);
  }
  return value === undefined ? '(none)' : `(a ${typeof value})`;
}

/** Logs refused logins by check, throttled; `now` is the clock in milliseconds. */
export function loginRefusalLog(
  auth: Pick<JwtAuthConfig, 'issuer' | 'audience' | 'identityClaim'>,
  logger: Logger,
  now: () => number = Date.now,
): (check: LoginCheck, payload?: jose.JWTPayload) => void {
  const lastLogged = new Map<LoginCheck, number>();
  const unlogged = new Map<LoginCheck, number>();
  return (check, payload) => {
    const time = now();
    const last = lastLogged.get(check);
    if (last !== undefined && time - last < LOGIN_REFUSAL_LOG_INTERVAL_MS) {
      unlogged.set(check, (unlogged.get(check) ?? 0) + 1);
      return;
    }
    lastLogged.set(check, time);
    const since = unlogged.get(check) ?? 0;
    unlogged.delete(check);
    // The claims of a token whose signature held (jose checks it before the claims).
    const claimFields =
      check === 'issuer'
        ? { expected: auth.issuer, received: loggable(payload?.iss) }
        : check === 'audience'
          ? { expected: auth.audience, received: loggable(payload?.aud) }
          : check === 'identity_claim'
            ? { claim: auth.identityClaim }
            : {};
    logger.warn('login token refused', {
      check,
      ...claimFields,
      ...(since > 0 ? { also_refused_since_last_line: since } : {}),
    });
  };
}
