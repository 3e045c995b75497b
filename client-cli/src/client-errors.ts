// The ways asking the token server can fail, as the HTTP client throws them. The program
// tells them apart (see explain.ts) to print what went wrong and what to do.
import type { CallerCredentialsKind } from './caller-credentials';
import type { NetworkFailureKind } from './network-failure';

/** One entry of an error answer's `details`, e.g. one invalid field. */
export interface ErrorDetail {
  /** The request field at fault, when there is one. */
  field?: string;
  /** What is wrong with it. */
  message: string;
}

/**
 * The token server gave no answer: connection refused, DNS failure, timeout, or a TLS
 * handshake with a server that does not speak TLS.
 */
export class UnreachableServerError extends Error {
  constructor(
    /** The token server's base URL that was tried. */
    readonly serverUrl: string,
    /** Why it could not be reached, e.g. `connect ECONNREFUSED 127.0.0.1:8002`. */
    readonly reason: string,
    /** Which kind of failure it was, for the explanation. */
    readonly failure: NetworkFailureKind = 'other',
  ) {
    super(`Could not reach the token server at ${serverUrl} (${reason}).`);
    this.name = 'UnreachableServerError';
  }
}

/**
 * The token server answered with a redirect (3xx), which the CLIs do not follow: the
 * request, with its credentials, was sent to --server only.
 */
export class RedirectRefusedError extends Error {
  constructor(
    /** The token server's base URL that was asked. */
    readonly serverUrl: string,
    /** The path that answered, such as `/token`, `/validate` or `/bans`, without its query. */
    readonly path: string,
    /** HTTP status of the answer, 300 to 399. */
    readonly status: number,
    /**
     * The origin (scheme://host[:port]) the redirect points to, never its path, query or user
     * info; undefined when the answer named no http(s) URL.
     */
    readonly targetOrigin: string | undefined,
  ) {
    super(`The token server at ${serverUrl} answered ${path} with a ${status} redirect.`);
    this.name = 'RedirectRefusedError';
  }
}

/** The answer was longer than the CLIs read (read-body.ts); reading stopped. */
export class AnswerTooLargeError extends Error {
  constructor(
    /** The token server's base URL that was asked. */
    readonly serverUrl: string,
    /** The path that answered, such as `/token`, `/validate` or `/bans`, without its query. */
    readonly path: string,
    /** How much was read before giving up, in bytes. */
    readonly maxBytes: number,
  ) {
    super(`The token server at ${serverUrl} answered ${path} with more than ${maxBytes} bytes.`);
    this.name = 'AnswerTooLargeError';
  }
}

/** What a TokenServerError knows besides status, code and message. */
export interface TokenServerErrorContext {
  /** Per-field details the server sent, if any. */
  details?: readonly ErrorDetail[];
  /** From the answer's `Retry-After` header, when it has a readable one: seconds to wait. */
  retryAfterSeconds?: number;
  /** Which credentials the refused request carried, so that a 401 can be explained. */
  credentialsSent?: CallerCredentialsKind;
  /** The path that answered; `/token` unless given. */
  path?: string;
  /** The token server's base URL that was asked, path prefix included. */
  serverUrl?: string;
  /** The top-level fields of the request body, so that a 400 about a field left out is told apart. */
  sentFields?: readonly string[];
}

/** The token server answered, but not with a token. */
export class TokenServerError extends Error {
  /** Per-field details the server sent, if any. */
  readonly details: readonly ErrorDetail[];
  /** From the answer's `Retry-After` header, when it has a readable one: seconds to wait. */
  readonly retryAfterSeconds: number | undefined;
  /** Which credentials the refused request carried. */
  readonly credentialsSent: CallerCredentialsKind;
  /** The path that answered, such as `/token`, `/validate` or `/bans`, without its query. */
  readonly path: string;
  /** The token server's base URL that was asked, when known. */
  readonly serverUrl: string | undefined;
  /** The top-level fields of the request body; empty when not known. */
  readonly sentFields: readonly string[];

  constructor(
    /** HTTP status of the answer. */
    readonly status: number,
    /**
     * The server's stable SCREAMING_SNAKE error code, or UNEXPECTED_RESPONSE when the answer
     * is not the token server's JSON (another service on that port, say).
     */
    readonly code: string,
    message: string,
    context: TokenServerErrorContext = {},
  ) {
    super(message);
    this.name = 'TokenServerError';
    this.details = context.details ?? [];
    this.retryAfterSeconds = context.retryAfterSeconds;
    this.credentialsSent = context.credentialsSent ?? 'none';
    this.path = context.path ?? '/token';
    this.serverUrl = context.serverUrl;
    this.sentFields = context.sentFields ?? [];
  }
}

/** The token server checked a token and refused it (`valid: false`). */
export class InvalidTokenError extends Error {
  constructor(
    /** The server's reason, e.g. BAD_SIGNATURE or TOKEN_EXPIRED; UNKNOWN when it gave none. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/**
 * How a wait in the waiting room ended without a token: a moderator denied the guest, nobody
 * decided in time, or the guest was admitted but an earlier poll already took the connection
 * details, which the server hands out once.
 */
export type LobbyEnding = 'denied' | 'expired' | 'collected';

/** The guest left the waiting room without a token. */
export class LobbyClosedError extends Error {
  constructor(
    /** The token server's base URL that was asked. */
    readonly serverUrl: string,
    /** The waiting room entry's id, as moderators see it; not a secret. */
    readonly lobbyId: string,
    readonly ending: LobbyEnding,
    /** When the wait was to end, as the server said; ISO 8601, as received. */
    readonly expiresAt: string,
  ) {
    super(`The token server at ${serverUrl} ended the wait in its waiting room: ${ending}.`);
    this.name = 'LobbyClosedError';
  }
}
