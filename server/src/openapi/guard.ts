// What stands in front of a route's handler, as the document states it: the errors any
// request may get, those of authentication, of the budget and of the body reader, and the
// headers they add. The document builder (document.ts) works a route's guard out from its
// access in the route table; the route's own operation adds the errors of its handler.
import type { Config } from '../config';
import type { HeaderName } from './responses';
import type { OperationError } from './types';

/** Errors any request may get: bad HTTP or URL, slow or huge headers, a bug. */
export const ANY_REQUEST_ERRORS: readonly OperationError[] = [
  'BAD_REQUEST',
  'REQUEST_TIMEOUT',
  'HEADERS_TOO_LARGE',
  'INTERNAL_ERROR',
];

/** What stands in front of one route's handler under a configuration. */
export interface RouteGuard {
  /** Every error answered before the handler runs, ANY_REQUEST_ERRORS included. */
  errors: readonly OperationError[];
  /** Headers every answer of the route carries beyond the usual ones (RateLimit...). */
  headers: readonly HeaderName[];
  /** Requests per caller and minute of the route's budget; 0 when off or public. */
  rateLimitPerMinute: number;
  /** The largest body the route reads, in bytes; undefined when it reads none. */
  bodyLimitBytes: number | undefined;
}

/** What a route's operation is built from. */
export interface OperationContext {
  config: Config;
  /** The server's version, the document's own version too. */
  serverVersion: string;
  /** What stands in front of the handler: spread its errors and headers into the answers. */
  guard: RouteGuard;
}

/** The errors of authentication under the configured AUTH_MODE. */
export function authenticationErrors(config: Config): OperationError[] {
  switch (config.auth.mode) {
    case 'none':
      return [];
    case 'api-key':
      return ['AUTHENTICATION_REQUIRED', 'INVALID_CREDENTIALS'];
    case 'jwt':
      return ['AUTHENTICATION_REQUIRED', 'INVALID_CREDENTIALS', 'AUTH_UNAVAILABLE'];
  }
}

/** The errors of reading a JSON body of at most `bodyLimitBytes`. */
export function bodyErrors(bodyLimitBytes: number): OperationError[] {
  return [
    'MALFORMED_JSON',
    'REQUEST_ABORTED',
    'UNSUPPORTED_MEDIA_TYPE',
    { code: 'PAYLOAD_TOO_LARGE', when: `the body is over ${bodyLimitBytes} bytes` },
    'VALIDATION_ERROR',
  ];
}

/** The refusals of issuing a participant token (issue-token.ts) under a configuration. */
export function participantTokenErrors(config: Config): OperationError[] {
  return [
    ...(config.auth.mode === 'jwt' ? (['IDENTITY_MISMATCH'] as const) : []),
    ...(config.roomNamePattern === undefined ? [] : (['ROOM_NOT_ALLOWED'] as const)),
    // API-key callers may ask for any role, and set LiveKit's own attributes.
    ...(config.auth.mode === 'api-key'
      ? []
      : (['ROLE_NOT_ALLOWED', 'ATTRIBUTE_NOT_ALLOWED'] as const)),
    ...(config.agentNames === undefined ? [] : (['AGENT_NOT_ALLOWED'] as const)),
    // Moderation: bans and caps can be set at any time, so they can always refuse.
    'BANNED',
    'ROOM_FULL',
    ...(config.duplicateIdentity === 'refuse' ? (['IDENTITY_IN_USE'] as const) : []),
    'MODERATION_UNAVAILABLE',
  ];
}

/** The refusals of redeeming an invite on the token routes (invites/invites.ts). */
export function inviteRedemptionErrors(config: Config): OperationError[] {
  return [
    'INVITE_NOT_FOUND',
    'INVITE_EXPIRED',
    'INVITE_USED_UP',
    'INVITE_NOT_FOR_ROOM',
    ...(config.inviteFailureLimitPerMinute > 0
      ? [
          {
            code: 'RATE_LIMITED' as const,
            when: 'too many failed invite redemptions from this address (INVITE_FAILURE_LIMIT_PER_MINUTE)',
          },
        ]
      : []),
  ];
}
