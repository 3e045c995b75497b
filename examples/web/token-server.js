// What the join and host pages share: the token server URL they start with, calls to the
// token server, and its refusals in plain words.

/** Where `./start_token_server.sh` listens. */
export const DEFAULT_TOKEN_SERVER_URL = 'http://localhost:8002';

/** The token server URL a page starts with: `?server=` when given, else the default. */
export function initialTokenServerUrl() {
  const fromQuery = new URLSearchParams(location.search).get('server')?.trim();
  return fromQuery ? fromQuery : DEFAULT_TOKEN_SERVER_URL;
}

/** A route under a token server URL, which may end with a slash or carry a base path. */
export function routeUrl(tokenServerUrl, path) {
  return `${tokenServerUrl.trim().replace(/\/+$/, '')}${path}`;
}

/** An error answer of the token server: `{ "error": { code, message } }` and its status. */
export class TokenServerError extends Error {
  constructor(status, code, message, retryAfterSeconds) {
    super(message);
    this.name = 'TokenServerError';
    /** The HTTP status. */
    this.status = status;
    /** The stable SCREAMING_SNAKE code, or '' when the body was not the server's shape. */
    this.code = code;
    /** Seconds to wait before trying again (Retry-After), when the server said. */
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** No answer from the token server: not running there, the network, or a CORS refusal. */
export class TokenServerUnreachable extends Error {
  constructor(url, cause) {
    super(`no answer from ${url}: ${cause.message}`, { cause });
    this.name = 'TokenServerUnreachable';
  }
}

/**
 * Calls the token server and resolves with `{ status, body }` for a 2xx answer (`body` is
 * null for 204). Throws TokenServerError for an error answer, TokenServerUnreachable when no
 * answer arrives (fetch says no more, CORS refusals included), and fetch's AbortError once
 * `signal` aborts.
 */
export async function callTokenServer(url, { method = 'GET', headers = {}, body, signal } = {}) {
  const init = { method, headers: { ...headers }, signal };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new TokenServerUnreachable(url, error);
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page, say): kept as text below.
  }
  if (response.ok) return { status: response.status, body: parsed };
  const error = parsed?.error;
  const retryAfter = Number(response.headers.get('Retry-After'));
  throw new TokenServerError(
    response.status,
    typeof error?.code === 'string' ? error.code : '',
    typeof error?.message === 'string' ? error.message : text.slice(0, 300),
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}

/** Refusals worth more than the server's own message, for either page. */
const PLAIN_WORDS = {
  INVITE_NOT_FOUND:
    'This invite code is not known: check it for typos, or ask the host for a new link ' +
    '(a revoked invite answers the same).',
  INVITE_EXPIRED: 'This invite has expired: ask the host for a new link.',
  INVITE_USED_UP:
    'This invite has been used as many times as it allows: ask the host for a new link.',
  INVITE_NOT_FOR_ROOM: 'This invite is for another room.',
  BANNED: 'You may not join this room: a moderator has banned you.',
  ROOM_FULL: 'The room is full: try again when someone has left.',
  RATE_LIMITED: (error) =>
    'Too many tries from here: wait ' +
    (error.retryAfterSeconds === undefined ? 'a minute' : `${error.retryAfterSeconds} s`) +
    ' and try again.',
};

/**
 * What went wrong talking to the token server at `url`, in plain words. `pageWords` adds or
 * replaces plain words for codes whose meaning depends on the page (a lobby entry that is
 * gone means one thing to the guest, another to the host).
 */
export function explainError(error, url, pageWords = {}) {
  if (error instanceof TokenServerError) {
    const words = pageWords[error.code] ?? PLAIN_WORDS[error.code];
    const said = `${error.status}${error.code ? ` ${error.code}` : ''}`;
    if (words === undefined) return `The token server answered ${said}: ${error.message}`;
    return `${typeof words === 'function' ? words(error) : words} (${said})`;
  }
  if (error instanceof TokenServerUnreachable) {
    return (
      `Could not reach the token server at ${url}. Is it running, and is this its URL? ` +
      `If it is, it may refuse this page's origin (${location.origin}): add it to CORS_ORIGINS. ` +
      'The browser console says which.'
    );
  }
  return `Something went wrong: ${error.message}`;
}
