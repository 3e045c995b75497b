// What the CLI prints once it has a token: the text summary, the server's JSON (--json),
// the token alone (--quiet), or LIVEKIT_URL/LIVEKIT_TOKEN lines for eval or .env (--env);
// with --validate, what the token server decoded from the token; and, before, that a guest
// waits in the waiting room. Every string the server supplied goes through display-text.ts
// but the token, which requestToken checked is a JWT.
import { displayJson, displayText, jsonAsReceived } from './display-text';
import { envLines } from './env-lines';
import type { CliOptions } from './options';
import type {
  IssuedToken,
  LobbyTicket,
  TokenResponse,
  TokenValidation,
  ValidationResponse,
} from './responses';

/**
 * The token server issued a token but has no LIVEKIT_URL, so `--env` has nothing to put in
 * LIVEKIT_URL=.
 */
export class MissingServerUrlError extends Error {
  constructor(
    /** The token server's base URL. */
    readonly serverUrl: string,
  ) {
    super(`The token server at ${serverUrl} answered without a server_url.`);
    this.name = 'MissingServerUrlError';
  }
}

/** What to print where. */
export interface Output {
  /** The result: what a script reads. */
  stdout: string;
  /** Anything else, kept off stdout so that it stays machine-readable. */
  stderr: string;
}

/**
 * What to print for `issued` (and `validation`, with --validate) as `options` ask. Called
 * only once every request has succeeded, so that a failure leaves stdout empty.
 */
export function formatOutput(
  issued: IssuedToken,
  validation: TokenValidation | undefined,
  options: CliOptions,
): Output {
  const validationSummary = validation === undefined ? '' : formatValidation(validation.response);
  if (options.quiet) return { stdout: `${issued.response.token}\n`, stderr: '' };
  if (options.json) {
    if (validation !== undefined) {
      // Both answers parsed whole, unknown fields included: one JSON document on stdout.
      const combined = { ...issued.response, validation: validation.response };
      return { stdout: `${displayJson(combined)}\n`, stderr: '' };
    }
    return {
      stdout: jsonAsReceived(issued.responseText, issued.answer ?? issued.response),
      stderr: '',
    };
  }
  if (options.env) {
    // The action refused an answer without server_url before getting here.
    const serverUrl = issued.response.server_url ?? '';
    return {
      // Throws, before anything is printed, for a value that sh or dotenv would misread.
      stdout: envLines([
        ['LIVEKIT_URL', serverUrl],
        ['LIVEKIT_TOKEN', issued.response.token],
      ]),
      // On stderr, so that stdout stays two lines that eval or a .env file can take.
      stderr: validationSummary,
    };
  }
  const summary = formatSummary(issued.response, options);
  return {
    stdout: validationSummary === '' ? summary : `${summary}\n${validationSummary}`,
    stderr: '',
  };
}

function formatSummary(response: TokenResponse, options: CliOptions): string {
  const rows: Array<[label: string, value: string]> = [
    ['room', displayText(response.room_name)],
    ['identity', displayText(response.identity)],
  ];
  if (response.role !== undefined) rows.push(['role', displayText(response.role)]);
  rows.push(['expires at', displayText(response.expires_at)]);
  if (response.server_url !== undefined) {
    rows.push(['server URL', displayText(response.server_url)]);
  }
  // What was asked for: the answer of /token does not repeat it (--validate shows the token's).
  if (options.metadata !== undefined && options.metadata !== '') {
    rows.push(['metadata', displayText(options.metadata)]);
  }
  if (options.attribute !== undefined) {
    rows.push(['attributes', displayText(displayJson(Object.fromEntries(options.attribute)))]);
  }
  if (options.agent !== undefined) rows.push(['agent', displayText(options.agent)]);
  if (options.agentMetadata !== undefined) {
    rows.push(['agent metadata', displayText(options.agentMetadata)]);
  }
  // In full and raw: requestToken let through only a JWT.
  rows.push(['token', response.token]);
  return formatRows(rows, '');
}

/** What /validate decoded from the token. Values it reports as null show as (none). */
function formatValidation(response: ValidationResponse): string {
  const text = (value: string | null) => (value === null ? '(none)' : displayText(value));
  const json = (value: unknown) => (value === null ? '(none)' : displayText(displayJson(value)));
  const rows: Array<[label: string, value: string]> = [
    ['identity', text(response.identity)],
    ['name', text(response.name)],
    ['room', text(response.room)],
    ['expires at', displayText(response.expires_at)],
    ['grants', json(response.grants)],
  ];
  // Servers that predate these fields leave them out: nothing to show rather than "(none)".
  if (response.metadata !== undefined) rows.push(['metadata', text(response.metadata)]);
  if (response.attributes !== undefined) rows.push(['attributes', json(response.attributes)]);
  if (response.room_config !== undefined) rows.push(['room config', json(response.room_config)]);
  return `validated: the token server accepts the token, which holds\n${formatRows(rows, '  ')}`;
}

/**
 * The line on stderr while a guest waits for a moderator: the entry's id, which moderators see
 * in `token-admin lobby list`, and when the wait ends. Never the poll token.
 */
export function formatWaiting(ticket: LobbyTicket): string {
  return `waiting room: waiting for a moderator to admit you (entry ${displayText(ticket.id)}; the wait ends at ${displayText(ticket.expires_at)})\n`;
}

/** `label: value` lines, the values aligned; each value already made safe to show. */
export function formatRows(
  rows: ReadonlyArray<[label: string, value: string]>,
  indent = '',
): string {
  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows
    .map(([label, value]) => `${indent}${`${label}:`.padEnd(labelWidth)}${value}\n`)
    .join('');
}
