// Which errors a route can answer under a configuration, by what stands in front of its
// handler: anything for any request, the guard of the token routes (authentication, rate
// limit, body reader: `guarded` in app.ts), and the rules of issuing a participant token.
import type { Config } from '../config';
import type { OperationError } from './error-codes';
import type { HeaderName } from './responses';

/** Errors any request may get: bad HTTP or URL, slow or huge headers, a bug. */
export const ANY_REQUEST_ERRORS: readonly OperationError[] = [
  'BAD_REQUEST',
  'REQUEST_TIMEOUT',
  'HEADERS_TOO_LARGE',
  'INTERNAL_ERROR',
];

/** The errors of authentication under the configured AUTH_MODE. */
function authenticationErrors(config: Config): OperationError[] {
  switch (config.auth.mode) {
    case 'none':
      return [];
    case 'api-key':
      return ['AUTHENTICATION_REQUIRED', 'INVALID_CREDENTIALS'];
    case 'jwt':
      return ['AUTHENTICATION_REQUIRED', 'INVALID_CREDENTIALS', 'AUTH_UNAVAILABLE'];
  }
}

/** What stands in front of a guarded route: its budget and its body limit. */
export interface Guard {
  /** Requests per caller and minute; 0 when the limit is off. */
  rateLimitPerMinute: number;
  /** Largest body read, in bytes. */
  bodyLimitBytes: number;
}

/** The errors of a guarded route before its handler runs, and of reading its JSON body. */
export function guardedRouteErrors(config: Config, guard: Guard): OperationError[] {
  return [
    ...ANY_REQUEST_ERRORS,
    ...authenticationErrors(config),
    ...(guard.rateLimitPerMinute > 0 ? (['RATE_LIMITED'] as const) : []),
    'MALFORMED_JSON',
    'REQUEST_ABORTED',
    'UNSUPPORTED_MEDIA_TYPE',
    { code: 'PAYLOAD_TOO_LARGE', when: `the body is over ${guard.bodyLimitBytes} bytes` },
    'VALIDATION_ERROR',
  ];
}

/** The headers every answer of a guarded route may carry beyond the usual ones. */
export function guardedRouteHeaders(guard: Guard): HeaderName[] {
  return guard.rateLimitPerMinute > 0 ? ['RateLimit', 'RateLimit-Policy'] : [];
}

/** The refusals of issuing a participant token (issue-token.ts) under a configuration. */
export function participantTokenErrors(config: Config): OperationError[] {
  return [
    ...(config.auth.mode === 'jwt' ? (['IDENTITY_MISMATCH'] as const) : []),
    ...(config.roomNamePattern === undefined ? [] : (['ROOM_NOT_ALLOWED'] as const)),
    // API-key callers may ask for any role.
    ...(config.auth.mode === 'api-key' ? [] : (['ROLE_NOT_ALLOWED'] as const)),
    ...(config.agentNames === undefined ? [] : (['AGENT_NOT_ALLOWED'] as const)),
  ];
}
