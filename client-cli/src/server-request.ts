// One request to the token server, as both CLIs send it: JSON in and out, the caller's
// credentials in a header, a timeout, no redirect followed, a bounded read, and every failure
// turned into one of the errors of client-errors.ts. It knows nothing of the routes' answers.
import { credentialHeaders, type CallerCredentials } from './caller-credentials';
import {
  AnswerTooLargeError,
  RedirectRefusedError,
  TokenServerError,
  UnreachableServerError,
  type ErrorDetail,
  type TokenServerErrorContext,
} from './client-errors';
import { classifyNetworkFailure } from './network-failure';
import { MAX_ANSWER_BYTES, readCappedText } from './read-body';
import { redirectOrigin } from './redirect';
import { isRecord } from './responses';

/** How long to wait for the token server before giving up, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The subset of the global `fetch` that the clients use; tests pass a fake. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** Where to send a request, as whom, and how long to wait. */
export interface ServerRequestOptions {
  /** Base URL of the token server, e.g. `http://localhost:8002`; the path is appended. */
  serverUrl: string;
  /** Sent in a header when given; a server with AUTH_MODE=none needs none. */
  credentials?: CallerCredentials;
  /** Gives up after this many milliseconds. Defaults to DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** One request: method, path (already encoded, with any query) and JSON body. */
export interface ServerRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path under the base URL, such as `/token` or `/bans?room=demo`, encoded. */
  path: string;
  /** Sent as JSON when given; a request without one has no body. */
  body?: unknown;
  /** Accepts an error answer as an answer, as /validate's `valid: false`. */
  isAnswer?: (body: unknown) => boolean;
}

/** A successful (or accepted) answer. */
export interface JsonAnswer {
  status: number;
  /** The body as received; empty for a 204. */
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON (or empty). */
  body: unknown;
  /** What a TokenServerError about this answer should know. */
  context: TokenServerErrorContext;
}

/**
 * Sends `request` to the token server, with the caller's credentials. Throws
 * UnreachableServerError when no answer arrives in time, RedirectRefusedError for a redirect,
 * AnswerTooLargeError past MAX_ANSWER_BYTES, and TokenServerError for an error status, unless
 * `isAnswer` accepts the error answer's body.
 */
export async function sendJson(
  request: ServerRequest,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<JsonAnswer> {
  const { method, body, isAnswer = () => false } = request;
  // The path errors name, without the query: what the user gave there is theirs, not a route.
  const path = request.path.replace(/\?.*$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const url = endpointUrl(options.serverUrl, request.path);
  let response: Response;
  let text: string | undefined;
  try {
    response = await fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        accept: 'application/json',
        ...credentialHeaders(options.credentials),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      // Never followed: fetch would resend the credentials (and, for 307 and 308, the body) to
      // any host the Location names, in clear for an http:// one. See redirect.ts.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (isRedirect(response.status)) {
      // Its body is of no use: not read, and the connection freed.
      await response.body?.cancel();
      text = '';
    } else {
      // Reading the body is inside the try: the timeout and a dropped connection hit it too.
      text = await readCappedText(response);
    }
  } catch (error) {
    const failure = classifyNetworkFailure(error, timeoutMs);
    throw new UnreachableServerError(options.serverUrl, failure.reason, failure.kind);
  }
  if (isRedirect(response.status)) {
    throw new RedirectRefusedError(
      options.serverUrl,
      path,
      response.status,
      redirectOrigin(response.headers.get('location'), url),
    );
  }
  if (text === undefined) throw new AnswerTooLargeError(options.serverUrl, path, MAX_ANSWER_BYTES);
  const parsed = parseJson(text);
  const context: TokenServerErrorContext = {
    credentialsSent: options.credentials?.kind ?? 'none',
    path,
    serverUrl: options.serverUrl,
    sentFields: isRecord(body) ? Object.keys(body) : [],
  };
  if (!response.ok && !isAnswer(parsed)) {
    throw serverError(response, parsed, options.serverUrl, {
      ...context,
      retryAfterSeconds: readRetryAfter(response.headers.get('retry-after'), Date.now()),
    });
  }
  return { status: response.status, text, body: parsed, context };
}

/** Whether `status` is a redirect (3xx), which `redirect: 'manual'` hands back as is. */
function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/**
 * Seconds to wait, from a `Retry-After` value: delay-seconds, or an HTTP date compared with
 * `nowMs`. Undefined when the header is absent or unreadable.
 */
function readRetryAfter(value: string | null, nowMs: number): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const dateMs = Date.parse(trimmed);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, Math.ceil((dateMs - nowMs) / 1000));
}

/** `${serverUrl}${path}`, keeping any path prefix and tolerating a trailing slash. */
function endpointUrl(serverUrl: string, path: string): string {
  return `${serverUrl.replace(/\/+$/, '')}${path}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Reads `{"error":{"code","message","details"?}}`, or describes an answer that is not that. */
function serverError(
  response: Response,
  body: unknown,
  serverUrl: string,
  context: TokenServerErrorContext,
): TokenServerError {
  const error = isRecord(body) ? body.error : undefined;
  if (isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    return new TokenServerError(response.status, error.code, error.message, {
      ...context,
      details: readDetails(error.details),
    });
  }
  const statusLine = `${response.status} ${response.statusText}`.trim();
  return new TokenServerError(
    response.status,
    'UNEXPECTED_RESPONSE',
    `The server at ${serverUrl} answered ${statusLine} without a token server error; is it the token server?`,
    context,
  );
}

function readDetails(details: unknown): ErrorDetail[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((detail: unknown): ErrorDetail[] => {
    if (typeof detail === 'string') return [{ message: detail }];
    if (!isRecord(detail) || typeof detail.message !== 'string') return [];
    return [
      typeof detail.field === 'string'
        ? { field: detail.field, message: detail.message }
        : { message: detail.message },
    ];
  });
}
