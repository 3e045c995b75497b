/** How long to wait for the token server before giving up, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The subset of the global `fetch` that requestToken uses; tests pass a fake. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * How the caller proves who it is to a token server with AUTH_MODE=api-key or jwt. Secrets:
 * sent in a header, never in the URL or the body, and never part of an error message.
 */
export type Credentials =
  | {
      kind: 'api-key';
      /** One of the server's TOKEN_SERVER_API_KEYS, sent as `X-API-Key`. */
      apiKey: string;
    }
  | {
      kind: 'bearer';
      /** A session JWT from the caller's login, sent as `Authorization: Bearer`. */
      jwt: string;
    };

/** Which kind of credentials a request carried; `none` when it carried none. */
export type CredentialsKind = Credentials['kind'] | 'none';

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
  /** Sent as `user_email`. */
  email: string;
  /** Sent as `full_name`: the participant's display name. */
  fullName: string;
  /** Sent as `user_id` when given; the server derives an identity otherwise. */
  userId?: string;
  /** Sent as `room_name` when given; the server picks its default room otherwise. */
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
  credentials?: Credentials;
  /** Gives up after this many milliseconds. Defaults to DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** The token server's success answer to `POST /token`. */
export interface TokenResponse {
  /** The signed LiveKit access token (a JWT). */
  token: string;
  /** The room the token lets its holder join. */
  room_name: string;
  /** The participant identity, the token's `sub`. */
  identity: string;
  /** The role whose grants the token carries; absent from servers that predate roles. */
  role?: string;
  /** When the token expires, as ISO 8601. */
  expires_at: string;
  /** The LiveKit server to connect to, when the token server is configured with one. */
  server_url?: string;
}

/** A token as the server answered it. */
export interface IssuedToken {
  /** The parsed answer. */
  response: TokenResponse;
  /** The answer's body as received, so `--json` can print the server's JSON unchanged. */
  responseText: string;
}

/** Which token to check, with which server, as whom. */
export interface TokenValidationOptions {
  /** Base URL of the token server; `/validate` is appended. */
  serverUrl: string;
  /** The token to check, sent as `{"token": ...}` in the body. */
  token: string;
  /** The caller's own credentials, sent in a header as for `POST /token`. */
  credentials?: Credentials;
  /** Gives up after this many milliseconds. Defaults to DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** The token server's answer to `POST /validate` for a token it accepts. */
export interface ValidationResponse {
  valid: true;
  /** The token's `sub`, or null when it has none. */
  identity: string | null;
  /** The participant's display name, the token's `name`, or null. */
  name: string | null;
  /** The room the token grants, or null. */
  room: string | null;
  /** When the token expires, as ISO 8601. */
  expires_at: string;
  /** The token's `video` claim: LiveKit's VideoGrant. */
  grants: Record<string, unknown>;
  /** The participant metadata, or null; absent from servers that predate it. */
  metadata?: string | null;
  /** The participant attributes, or null; absent from servers that predate them. */
  attributes?: Record<string, unknown> | null;
  /** The room configuration (e.g. agents to dispatch), or null; absent from older servers. */
  room_config?: Record<string, unknown> | null;
}

/** A validation as the server answered it. */
export interface TokenValidation {
  /** The parsed answer, unknown fields included, so `--json` can print all of it. */
  response: ValidationResponse;
}

/** One entry of an error answer's `details`, e.g. one invalid field. */
export interface ErrorDetail {
  /** The request field at fault, when there is one. */
  field?: string;
  /** What is wrong with it. */
  message: string;
}

/** The token server could not be reached: connection refused, DNS failure or timeout. */
export class UnreachableServerError extends Error {
  constructor(
    /** The token server's base URL that was tried. */
    readonly serverUrl: string,
    /** Why it could not be reached, e.g. `connect ECONNREFUSED 127.0.0.1:8002`. */
    readonly reason: string,
  ) {
    super(`Could not reach the token server at ${serverUrl} (${reason}).`);
    this.name = 'UnreachableServerError';
  }
}

/** What a TokenServerError knows besides status, code and message. */
export interface TokenServerErrorContext {
  /** Per-field details the server sent, if any. */
  details?: readonly ErrorDetail[];
  /** From the answer's `Retry-After` header, when it has a readable one: seconds to wait. */
  retryAfterSeconds?: number;
  /** Which credentials the refused request carried, so that a 401 can be explained. */
  credentialsSent?: CredentialsKind;
  /** The path that answered; `/token` unless given. */
  path?: string;
}

/** The token server answered, but not with a token. */
export class TokenServerError extends Error {
  /** Per-field details the server sent, if any. */
  readonly details: readonly ErrorDetail[];
  /** From the answer's `Retry-After` header, when it has a readable one: seconds to wait. */
  readonly retryAfterSeconds: number | undefined;
  /** Which credentials the refused request carried. */
  readonly credentialsSent: CredentialsKind;
  /** The path that answered: `/token` or `/validate`. */
  readonly path: string;

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
 * Asks the token server at `options.serverUrl` for an access token (`POST /token`).
 * Throws UnreachableServerError when no answer arrives in time, and TokenServerError when
 * the answer is an error or not a token.
 */
export async function requestToken(
  options: TokenRequestOptions,
  fetch: Fetch,
): Promise<IssuedToken> {
  const body = {
    user_email: options.email,
    full_name: options.fullName,
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
  credentials?: Credentials;
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
 * UnreachableServerError when no answer arrives in time, and TokenServerError for an error
 * status, unless `isAnswer` accepts the error answer's body.
 */
async function postJson(
  path: string,
  body: unknown,
  options: ServerRequestOptions,
  fetch: Fetch,
  { isAnswer = () => false }: { isAnswer?: (body: unknown) => boolean } = {},
): Promise<JsonAnswer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let response: Response;
  let text: string;
  try {
    response = await fetch(endpointUrl(options.serverUrl, path), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...credentialHeaders(options.credentials),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Reading the body is inside the try: the timeout and a dropped connection hit it too.
    text = await response.text();
  } catch (error) {
    throw new UnreachableServerError(options.serverUrl, describeFailure(error, timeoutMs));
  }
  const parsed = parseJson(text);
  const context: TokenServerErrorContext = {
    credentialsSent: options.credentials?.kind ?? 'none',
    path,
  };
  if (!response.ok && !isAnswer(parsed)) {
    throw serverError(response, parsed, options.serverUrl, {
      ...context,
      retryAfterSeconds: readRetryAfter(response.headers.get('retry-after'), Date.now()),
    });
  }
  return { status: response.status, text, body: parsed, context };
}

function agentBody(agent: AgentDispatch): { agent_name: string; metadata?: string } {
  return {
    agent_name: agent.agentName,
    ...(agent.metadata === undefined ? {} : { metadata: agent.metadata }),
  };
}

function credentialHeaders(credentials: Credentials | undefined): Record<string, string> {
  if (credentials === undefined) return {};
  if (credentials.kind === 'api-key') return { 'x-api-key': credentials.apiKey };
  return { authorization: `Bearer ${credentials.jwt}` };
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

function describeFailure(error: unknown, timeoutMs: number): string {
  // Duck-typed rather than instanceof: AbortSignal's DOMException and errors from other realms
  // (Node internals, test sandboxes) are not instances of this realm's Error.
  if (hasName(error, 'TimeoutError')) return `no answer within ${timeoutMs / 1000} s`;
  // Node's fetch rejects with a bare "fetch failed"; the cause says what actually happened.
  const cause = isRecord(error) ? error.cause : undefined;
  if (isRecord(cause) && typeof cause.message === 'string') return cause.message;
  if (isRecord(error) && typeof error.message === 'string') return error.message;
  return String(error);
}

function hasName(value: unknown, name: string): boolean {
  return isRecord(value) && value.name === name;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTokenResponse(value: unknown): value is TokenResponse {
  return (
    isRecord(value) &&
    typeof value.token === 'string' &&
    value.token !== '' &&
    typeof value.room_name === 'string' &&
    typeof value.identity === 'string' &&
    typeof value.expires_at === 'string' &&
    (value.role === undefined || typeof value.role === 'string') &&
    (value.server_url === undefined || typeof value.server_url === 'string')
  );
}

function isValidationResponse(value: unknown): value is ValidationResponse {
  const stringOrNull = (field: unknown) => field === null || typeof field === 'string';
  const optional = (field: unknown, check: (present: unknown) => boolean) =>
    field === undefined || field === null || check(field);
  return (
    isRecord(value) &&
    value.valid === true &&
    stringOrNull(value.identity) &&
    stringOrNull(value.name) &&
    stringOrNull(value.room) &&
    typeof value.expires_at === 'string' &&
    isRecord(value.grants) &&
    optional(value.metadata, (field) => typeof field === 'string') &&
    optional(value.attributes, isRecord) &&
    optional(value.room_config, isRecord)
  );
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
