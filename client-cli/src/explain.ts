// Turns a failed request into what the user reads on stderr: what the token server (or the
// network) said, and for the refusals people hit most (400 for a name left to a login, 401,
// 403, 404 under a path, 429) one line on what it means and what to do; an invite's and the
// waiting room's are in invite-explain.ts. Secrets never appear: the errors do not carry them.
import {
  AnswerTooLargeError,
  InvalidTokenError,
  LobbyClosedError,
  RedirectRefusedError,
  TokenServerError,
  UnreachableServerError,
} from './client-errors';
import { displayText } from './display-text';
import { UnwritableEnvValueError } from './env-lines';
import { explainInviteRefusal, explainLobbyClosed } from './invite-explain';
import { MissingServerUrlError } from './output';

// An unreachable server is most often one nobody started: say how, or how to use another.
const START_HINT =
  'Start it with ./start_token_server.sh from the repository root, or pass --server <url> or set TOKEN_SERVER_URL to use a token server that is running.';

/** Which command the explanations speak for, and what it knows better about its own routes. */
export interface ExplainWording {
  /** The command the user ran, as the lines name it, such as `request-token`. */
  command: string;
  /**
   * The one line for a server refusal that the command explains itself (its own routes'
   * codes); undefined leaves it to the explanations here.
   */
  explainRefusal?: (error: TokenServerError) => string | undefined;
}

/** request-token's wording: the default. */
export const REQUEST_TOKEN_WORDING: ExplainWording = {
  command: 'request-token',
  explainRefusal: explainInviteRefusal,
};

/**
 * The text to print on stderr for a request that failed in one of the expected ways, or
 * undefined for any other error, which is a bug to let through.
 */
export function explainFailure(
  error: unknown,
  wording: ExplainWording = REQUEST_TOKEN_WORDING,
): string | undefined {
  if (error instanceof UnreachableServerError) return explainUnreachable(error);
  if (error instanceof TokenServerError) return describeServerError(error, wording);
  if (error instanceof RedirectRefusedError) return explainRedirect(error, wording.command);
  if (error instanceof AnswerTooLargeError) {
    const answered = error.path === '/token' ? 'answered' : `answered ${error.path}`;
    return `error: the server at ${error.serverUrl} ${answered} with more than ${error.maxBytes / (1024 * 1024)} MiB, far more than a token server sends; ${wording.command} stopped reading: check --server (or TOKEN_SERVER_URL).\n`;
  }
  if (error instanceof LobbyClosedError) return explainLobbyClosed(error);
  if (error instanceof InvalidTokenError) {
    return `error: the token server issued a token, but /validate says it is not valid: ${displayText(error.code)}: ${displayText(error.message)}\n`;
  }
  if (error instanceof UnwritableEnvValueError) {
    // The value is not shown: it is what a hostile server would have a shell or .env read.
    return `error: --env cannot write the token server's value for ${error.variable} so that a shell and a .env file both read it back exactly (it holds characters a URL does not, or both ' and $); nothing was printed. Check the token server's LIVEKIT_URL, or leave out --env.\n`;
  }
  if (error instanceof MissingServerUrlError) {
    return (
      `error: the token server at ${error.serverUrl} has no LIVEKIT_URL set, so its answer has no server_url for --env to print.\n` +
      "Set LIVEKIT_URL in the token server's environment or .env and restart it, or leave out --env.\n"
    );
  }
  return undefined;
}

/**
 * No answer came. An https:// URL whose TLS handshake met a plain-HTTP server gets what to
 * use instead, without OpenSSL's text, which tells a newcomer nothing; anything else gets the
 * reason and how to start a server.
 */
function explainUnreachable(error: UnreachableServerError): string {
  // The reason may quote the server, such as the names in its certificate.
  const reason = displayText(error.reason);
  if (error.failure === 'tls-handshake' && error.serverUrl.startsWith('https:')) {
    return (
      `error: the server at ${error.serverUrl} does not speak HTTPS; it probably serves plain HTTP (the TLS handshake failed: ${reason}).\n` +
      `Use ${plainHttpUrl(error.serverUrl)} instead, with --server or TOKEN_SERVER_URL.\n`
    );
  }
  return `error: could not reach the token server at ${error.serverUrl} (${reason}).\n${START_HINT}\n`;
}

/**
 * A redirect, in one line: where it points (the origin only), that `command` does not follow
 * it, and what to do if the target is the right server.
 */
function explainRedirect(error: RedirectRefusedError, command: string): string {
  const answered = error.path === '/token' ? 'answered' : `answered ${error.path} with`;
  const target =
    error.targetOrigin === undefined
      ? 'a redirect without an http(s) Location'
      : `a redirect to ${displayText(error.targetOrigin)}`;
  const fix =
    error.targetOrigin === undefined
      ? 'check --server (or TOKEN_SERVER_URL)'
      : 'if that is the token server, use it as --server (or TOKEN_SERVER_URL)';
  return `error: the token server at ${error.serverUrl} ${answered} ${error.status}, ${target}; ${command} does not follow redirects, which would send the credentials and the request there: ${fix}.\n`;
}

/**
 * The same server over plain HTTP: the port stays, 443 included when it was implied, since
 * that is where the plain-HTTP server answered.
 */
function plainHttpUrl(httpsUrl: string): string {
  const url = new URL(httpsUrl);
  const port = url.port === '' ? '443' : url.port;
  url.protocol = 'http:';
  url.port = port;
  return url.href.replace(/\/+$/, '');
}

/** How many of an error answer's details are printed, as many as the token server lists. */
export const MAX_DETAILS_SHOWN = 20;

/**
 * The token server's error answer as lines for stderr: status, code, message, one line per
 * detail (the first MAX_DETAILS_SHOWN, then how many more), then the explanation: the
 * command's own for its routes' codes, else that of a 400 for a name left to a login, a 401,
 * 403, 404 or 429. What the server wrote is filtered.
 */
export function describeServerError(
  error: TokenServerError,
  wording: ExplainWording = REQUEST_TOKEN_WORDING,
): string {
  // A server may send any number of details (an attack sent 200,000): the first few say enough.
  const details = error.details
    .slice(0, MAX_DETAILS_SHOWN)
    .map(
      (detail) =>
        `  - ${detail.field === undefined ? '' : `${displayText(detail.field)}: `}${displayText(detail.message)}\n`,
    );
  const notShown = error.details.length - MAX_DETAILS_SHOWN;
  if (notShown > 0) details.push(`  - and ${notShown.toLocaleString('en-US')} more\n`);
  const explanation = wording.explainRefusal?.(error) ?? explainRefusal(error);
  const answered = error.path === '/token' ? 'answered' : `answered ${error.path} with`;
  // Code and message are the server's, or quote it (an unexpected answer's status text).
  return `error: the token server ${answered} ${error.status} ${displayText(error.code)}: ${displayText(error.message)}\n${details.join('')}${explanation === undefined ? '' : `${explanation}.\n`}`;
}

/** For a 400, 401, 403, 404 or 429: what it means and what to do, in one line. */
function explainRefusal(error: TokenServerError): string | undefined {
  switch (error.status) {
    case 400:
      return explainNoIdentityFromLogin(error);
    case 401:
      return explainUnauthenticated(error);
    case 403:
      return explainForbidden(error.code);
    case 404:
      return explainNotFound(error.serverUrl);
    case 429:
      return error.retryAfterSeconds === undefined
        ? 'the token server is rate limiting these requests: retry later'
        : `the token server is rate limiting these requests: retry after ${error.retryAfterSeconds} ${error.retryAfterSeconds === 1 ? 'second' : 'seconds'}`;
    default:
      return undefined;
  }
}

/** The body fields that name the identity: either does. */
const IDENTITY_FIELDS: ReadonlySet<string> = new Set(['user_id', 'user_email']);

/**
 * With a bearer JWT and without --email or --name, the CLI sends neither, for a server with
 * AUTH_MODE=jwt to take them from the login. Another server (AUTH_MODE=none, or api-key taking
 * the bearer as a key) asks for them instead: say how to give them.
 */
function explainNoIdentityFromLogin(error: TokenServerError): string | undefined {
  if (error.credentialsSent !== 'bearer') return undefined;
  const sent = (field: string) => error.sentFields.includes(field);
  const identityLeftOut = ![...IDENTITY_FIELDS].some(sent);
  const asksForLeftOut = error.details.some(
    ({ field }) =>
      (field === 'full_name' && !sent(field)) ||
      (field !== undefined && IDENTITY_FIELDS.has(field) && identityLeftOut),
  );
  if (!asksForLeftOut) return undefined;
  return 'with --bearer, request-token sends no default email or name, since a server with AUTH_MODE=jwt takes them from the login; this server does not: pass --email and --name (or --user-id)';
}

function explainUnauthenticated(error: TokenServerError): string {
  const sent = error.credentialsSent;
  // The server's codes first; a 401 without one (a proxy's, say) is judged by what was sent.
  const refused =
    error.code === 'INVALID_CREDENTIALS' ||
    (error.code !== 'AUTHENTICATION_REQUIRED' && sent !== 'none');
  if (refused) {
    if (sent === 'api-key') {
      return 'the token server refused the credentials: check the API key (--api-key, or TOKEN_SERVER_API_KEY in the environment or .env)';
    }
    if (sent === 'bearer') {
      return 'the token server refused the credentials: check that the bearer JWT (--bearer or TOKEN_SERVER_BEARER) is current, or whether the server expects --api-key';
    }
    return 'the token server refused the credentials: check the API key or that the bearer JWT is current';
  }
  // The request carried credentials the server did not look at: it authenticates another way.
  if (sent === 'api-key') {
    return 'the token server requires authentication and did not take the API key: it may expect --bearer <jwt> (TOKEN_SERVER_BEARER) instead';
  }
  if (sent === 'bearer') {
    return 'the token server requires authentication and did not take the bearer JWT: it may expect --api-key (TOKEN_SERVER_API_KEY) instead';
  }
  return 'the token server requires authentication: pass --api-key (or set TOKEN_SERVER_API_KEY) or --bearer (TOKEN_SERVER_BEARER)';
}

/**
 * A 404 from a base URL with a path: most often a path the server is not under, such as
 * /api, or a route (whose paths the CLI refuses up front). A path is right only where a
 * reverse proxy serves the token server under that prefix.
 */
function explainNotFound(serverUrl: string | undefined): string | undefined {
  if (serverUrl === undefined) return undefined;
  const url = new URL(serverUrl);
  if (url.pathname === '/') return undefined;
  return `--server (or TOKEN_SERVER_URL) takes the token server's base URL, such as ${url.origin}; keep the path ${url.pathname} only if a reverse proxy serves the token server under it`;
}

function explainForbidden(code: string): string {
  switch (code) {
    case 'IDENTITY_MISMATCH':
      return 'the --user-id differs from the identity in your login (the bearer JWT): leave out --user-id, or pass that identity';
    case 'ROOM_NOT_ALLOWED':
      return "the room name is not allowed by the token server's ROOM_NAME_PATTERN: choose another --room, or leave it out to get a generated room";
    case 'ROLE_NOT_ALLOWED':
      return 'the token server does not let you take this role: choose a --role it is open to, or ask its operator for the role';
    case 'AGENT_NOT_ALLOWED':
      return "the --agent is not in the token server's AGENT_NAMES: choose one of those agents, or ask its operator to add it";
    default:
      return 'the token server does not allow this request: ask its operator for access';
  }
}
