// The HTTP client of the token server: POST /token and POST /validate, with the caller's
// credentials in a header, a timeout, and every failure turned into one of the errors of
// client-errors.ts. It knows nothing of the command line.
import { credentialHeaders, type CallerCredentials } from './caller-credentials';
import {
  AnswerTooLargeError,
  InvalidTokenError,
  RedirectRefusedError,
  TokenServerError,
  UnreachableServerError,
  type ErrorDetail,
  type TokenServerErrorContext,
} from './client-errors';
import { classifyNetworkFailure } from './network-failure';
import { MAX_ANSWER_BYTES, readCappedText } from './read-body';
import { redirectOrigin } from './redirect';
import {
  isJwtShaped,
  isRecord,
  isTokenResponse,
  isValidationResponse,
  type IssuedToken,
  type TokenValidation,
} from './responses';

/** How long to wait for the token server before giving up, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The subset of the global `fetch` that requestToken uses; tests pass a fake. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** An agent to dispatch to the room when the participant joins (LiveKit's RoomAgentDispatch). */
export interface AgentDispatch {
  /** The agent's name, as the agent worker registered it; sent as `agent_name`. */
  agentName: string;
  /** Handed to the agent with the job; sent as `metadata` when given. */
  metadata?: string;
}

/** Who asks for a token, and where. */
export interface TokenRequestOptions {
  /** Base URL of the token server, e.g. `http://localhost:8002`; `/token` is appended. */
  serverUrl: string;
  /** Sent as `user_email` when given: the identity, unless userId or a login gives one. */
  email?: string;
  /** Sent as `full_name` when given: the participant's display name. */
  fullName?: string;
  /** Sent as `user_id` when given; the server derives an identity otherwise. */
  userId?: string;
  /** Sent as `room_name` when given; otherwise the server makes a new room, room-<random>. */
  roomName?: string;
  /** Sent as `role` when given: which of the server's roles' grants the token carries. */
  role?: string;
  /** Sent as `metadata` when given: the token's participant metadata, as is. */
  metadata?: string;
  /** Sent as `attributes` when given: the token's participant attributes. */
  attributes?: Readonly<Record<string, string>>;
  /** Sent as `room_config: {agents: [...]}` when given. */
  agent?: AgentDispatch;
  /** Sent as `ttl_seconds` when given: a lifetime shorter than the server's default, in seconds. */
  ttlSeconds?: number;
  /** Sent in a header when given; a server with AUTH_MODE=none needs none. */
  credentials?: CallerCredentials;
  /** Gives up after this many milliseconds. Defaults to DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** Which token to check, with which server, as whom. */
export interface TokenValidationOptions {
  /** Base URL of the token server; `/validate` is appended. */
  serverUrl: string;
  /** The token to check, sent as `{"token": ...}` in the body. */
  token: string;
  /** The caller's own credentials, sent in a header as for `POST /token`. */
  credentials?: CallerCredentials;
  /** Gives up after this many milliseconds. Defaults to DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/**
 * Asks the token server at `options.serverUrl` for an access token (`POST /token`).
 * Throws UnreachableServerError when no answer arrives in time, and TokenServerError when
 * the answer is an error or not a token.
 */
export async function requestToken(
  options: TokenRequestOptions,
  fetch: Fetch,
): Promise<IssuedToken> {
  const body = {
    ...(options.email === undefined ? {} : { user_email: options.email }),
    ...(options.fullName === undefined ? {} : { full_name: options.fullName }),
    ...(options.userId === undefined ? {} : { user_id: options.userId }),
    ...(options.roomName === undefined ? {} : { room_name: options.roomName }),
    ...(options.role === undefined ? {} : { role: options.role }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
    ...(options.agent === undefined ? {} : { room_config: { agents: [agentBody(options.agent)] } }),
    ...(options.ttlSeconds === undefined ? {} : { ttl_seconds: options.ttlSeconds }),
  };
  const answer = await postJson('/token', body, options, fetch);
  if (!isTokenResponse(answer.body)) {
    throw new TokenServerError(
      answer.status,
      'UNEXPECTED_RESPONSE',
      `The server at ${options.serverUrl} answered ${answer.status} without a token; is it the token server?`,
      answer.context,
    );
  }
  if (!isJwtShaped(answer.body.token)) {
    // Not shown: what is not a token may be anything, a terminal escape or a line for .env.
    throw new TokenServerError(
      answer.status,
      'UNEXPECTED_RESPONSE',
      `The server at ${options.serverUrl} answered ${answer.status} with a token that is not a JWT (three base64url parts joined by dots), not shown; is it the token server?`,
      answer.context,
    );
  }
  return { response: answer.body, responseText: answer.text };
}

/**
 * Asks the token server to check a token (`POST /validate`) and decode what it grants.
 * Throws InvalidTokenError when the server answers `valid: false`, and otherwise fails as
 * requestToken does.
 */
export async function validateToken(
  options: TokenValidationOptions,
  fetch: Fetch,
): Promise<TokenValidation> {
  const answer = await postJson('/validate', { token: options.token }, options, fetch, {
    // The server answers a refused token with 401 and `valid: false`; a refused caller gets a
    // 401 without `valid`.
    isAnswer: (body) => isRecord(body) && body.valid === false,
  });
  const { body } = answer;
  if (isRecord(body) && body.valid === false) {
    const error = isRecord(body.error) ? body.error : {};
    throw new InvalidTokenError(
      typeof error.code === 'string' ? error.code : 'UNKNOWN',
      typeof error.message === 'string' ? error.message : 'The server gave no reason.',
    );
  }
  if (!isValidationResponse(body)) {
    throw new TokenServerError(
      answer.status,
      'UNEXPECTED_RESPONSE',
      `The server at ${options.serverUrl} answered ${answer.status} to /validate without a validation; is it the token server?`,
      answer.context,
    );
  }
  return { response: body };
}

/** What requestToken and validateToken have in common. */
interface ServerRequestOptions {
  serverUrl: string;
  credentials?: CallerCredentials;
  timeoutMs?: number;
}

/** A successful (or accepted) answer of postJson. */
interface JsonAnswer {
  status: number;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  body: unknown;
  /** What a TokenServerError about this answer should know. */
  context: TokenServerErrorContext;
}

/**
 * POSTs `body` as JSON to `path` on the token server, with the caller's credentials. Throws
 * UnreachableServerError when no answer arrives in time, RedirectRefusedError for a redirect,
 * AnswerTooLargeError past MAX_ANSWER_BYTES, and TokenServerError for an error status, unless
 * `isAnswer` accepts the error answer's body.
 */
async function postJson(
  path: string,
  body: unknown,
  options: ServerRequestOptions,
  fetch: Fetch,
  { isAnswer = () => false }: { isAnswer?: (body: unknown) => boolean } = {},
): Promise<JsonAnswer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const url = endpointUrl(options.serverUrl, path);
  let response: Response;
  let text: string | undefined;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...credentialHeaders(options.credentials),
      },
      body: JSON.stringify(body),
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

function agentBody(agent: AgentDispatch): { agent_name: string; metadata?: string } {
  return {
    agent_name: agent.agentName,
    ...(agent.metadata === undefined ? {} : { metadata: agent.metadata }),
  };
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
