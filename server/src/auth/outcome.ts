// How one caller authentication ended, as the metrics count it: told by the middleware at
// the moment it decides. Settings without code, so that the metrics need not load auth.
import type { Caller } from '../caller';

/** The outcomes of caller_authentications_total. */
export const AUTHENTICATION_OUTCOMES = [
  'anonymous',
  'api_key',
  'jwt',
  'invalid',
  'missing',
  'unavailable',
] as const;

/** How one authentication ended. */
export type AuthenticationOutcome = (typeof AUTHENTICATION_OUTCOMES)[number];

const OUTCOME_OF_CALLER: Readonly<Record<Caller['kind'], AuthenticationOutcome>> = {
  anonymous: 'anonymous',
  'api-key': 'api_key',
  jwt: 'jwt',
};

/** The outcome of an authentication that established `caller`. */
export function outcomeOfCaller(caller: Caller): AuthenticationOutcome {
  return OUTCOME_OF_CALLER[caller.kind];
}

/** The outcome of a refused authentication, by its error code; any other counts as invalid. */
export function outcomeOfRefusal(code: string): AuthenticationOutcome {
  switch (code) {
    case 'AUTHENTICATION_REQUIRED':
      return 'missing';
    case 'AUTH_UNAVAILABLE':
      return 'unavailable';
    default:
      return 'invalid';
  }
}
