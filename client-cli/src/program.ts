import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parse as parseDotenv } from 'dotenv';
import {
  requestToken,
  TokenServerError,
  UnreachableServerError,
  type Credentials,
  type Fetch,
  type IssuedToken,
  type TokenResponse,
} from './client';

/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

/** Everything the program touches outside itself, so tests can stand in for it. */
export interface ProgramDeps {
  /** Sends the HTTP request; the global `fetch` in real use. */
  fetch: Fetch;
  /** The environment: `.env` in the working directory overlaid by the real environment. */
  env: Env;
  /** Writes to standard output. */
  stdout: (text: string) => void;
  /** Writes to standard error. */
  stderr: (text: string) => void;
}

/** The process exit codes, as documented in `--help`. */
export const ExitCode = {
  /** A token was printed, or help was asked for. */
  Success: 0,
  /** The token server could not be reached, or answered with an error. */
  RequestFailed: 1,
  /** The options or the environment are invalid; nothing was sent. */
  Usage: 2,
} as const;

/** The test user's email, asked for when no --email is given. */
export const DEFAULT_EMAIL = 'test.user@example.com';
/** The test user's display name, asked for when no --name is given. */
export const DEFAULT_NAME = 'Test User';
/** The port the token server listens on when TOKEN_SERVER_PORT is unset, as the server does. */
export const DEFAULT_SERVER_PORT = 8002;

const START_HINT =
  'Start it with ./start_token_server.sh from the repository root, or pass --server <url> or set TOKEN_SERVER_URL to use a token server that is running.';

/** The options as commander hands them to the action, after the parsers below ran. */
interface CliOptions {
  email: string;
  name: string;
  room?: string;
  userId?: string;
  server?: string;
  apiKey?: string;
  bearer?: string;
  json?: boolean;
  quiet?: boolean;
}

/**
 * Builds the `request-token` command. It writes through `deps` only and never exits the
 * process itself; call `exitOverride()` on it to get commander's errors thrown.
 */
export function buildProgram(deps: ProgramDeps): Command {
  const program = new Command('request-token')
    .description('Asks a running LiveKit token server for an access token and prints it.')
    .addOption(
      new Option('--email <email>', "the participant's email address")
        .default(DEFAULT_EMAIL)
        .argParser(parseEmail),
    )
    .addOption(
      new Option('--name <name>', "the participant's display name")
        .default(DEFAULT_NAME)
        .argParser(nonEmpty('a name')),
    )
    .addOption(
      new Option(
        '--room <room>',
        "the room to join (default: the server's default room)",
      ).argParser(nonEmpty('a room name')),
    )
    .addOption(
      new Option(
        '--user-id <id>',
        'the participant identity to ask for (default: the server derives one)',
      ).argParser(nonEmpty('a user id')),
    )
    .addOption(
      new Option(
        '--server <url>',
        'the token server to ask (default: $TOKEN_SERVER_URL, else http://localhost:$TOKEN_SERVER_PORT, else http://localhost:8002)',
      ).argParser(parseServerUrl),
    )
    // No argParser on these two: commander's message for a rejected argument quotes the value.
    .addOption(
      new Option(
        '--api-key <key>',
        'authenticate with this API key, sent as X-API-Key (default: $TOKEN_SERVER_API_KEY)',
      ).conflicts('bearer'),
    )
    .addOption(
      new Option(
        '--bearer <jwt>',
        'authenticate with the session JWT from your login, sent as Authorization: Bearer (default: $TOKEN_SERVER_BEARER)',
      ),
    )
    .addOption(new Option('--json', "print the server's JSON answer unchanged").conflicts('quiet'))
    .addOption(new Option('--quiet', 'print only the token, for TOKEN=$(request-token --quiet)'))
    .addHelpText(
      'after',
      [
        '',
        'Variables (TOKEN_SERVER_URL, TOKEN_SERVER_PORT, TOKEN_SERVER_API_KEY,',
        'TOKEN_SERVER_BEARER) are read from the environment and from .env in the current',
        'directory; the environment wins. --api-key or --bearer replaces both credential',
        'variables. Prefer TOKEN_SERVER_API_KEY to --api-key: arguments show in ps.',
        '',
        'Exit codes:',
        '  0  the token was printed',
        '  1  the token server could not be reached, or answered with an error (such as',
        '     401 for missing or refused credentials, 403 not allowed, 429 rate limited)',
        '  2  invalid options; nothing was sent',
        '',
        'Examples:',
        '  request-token --room demo --email ada@example.com --name "Ada Lovelace"',
        '  TOKEN=$(request-token --quiet)',
        '  request-token --server https://tokens.example.com --json',
        '  TOKEN_SERVER_API_KEY="$(cat ~/.token-server-key)" request-token --room demo',
        '  request-token --bearer "$SESSION_JWT" --room demo',
      ].join('\n'),
    )
    .configureOutput({
      writeOut: deps.stdout,
      writeErr: deps.stderr,
      outputError: (text, write) => write(hideUnknownOptionValue(text)),
    })
    .showHelpAfterError()
    .action(async (options: CliOptions, command: Command) => {
      const serverUrl = options.server ?? defaultServerUrl(deps.env, command);
      const credentials = resolveCredentials(options, deps.env, command);
      const issued = await requestToken(
        {
          serverUrl,
          email: options.email,
          fullName: options.name,
          ...(options.userId === undefined ? {} : { userId: options.userId }),
          ...(options.room === undefined ? {} : { roomName: options.room }),
          ...(credentials === undefined ? {} : { credentials }),
        },
        deps.fetch,
      );
      deps.stdout(formatOutput(issued, options));
    });
  return program;
}

/**
 * Runs the CLI on `argv` (as in `process.argv`: node, script, then arguments) and resolves
 * to the exit code. Request failures are reported on stderr, never thrown.
 */
export async function run(
  argv: readonly string[],
  deps: ProgramDeps = defaultDeps(),
): Promise<number> {
  const program = buildProgram(deps).exitOverride();
  try {
    await program.parseAsync(argv, { from: 'node' });
    return ExitCode.Success;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the error and the usage; only --help exits with 0.
      return error.exitCode === 0 ? ExitCode.Success : ExitCode.Usage;
    }
    if (error instanceof UnreachableServerError) {
      deps.stderr(
        `error: could not reach the token server at ${error.serverUrl} (${error.reason}).\n${START_HINT}\n`,
      );
      return ExitCode.RequestFailed;
    }
    if (error instanceof TokenServerError) {
      deps.stderr(describeServerError(error));
      return ExitCode.RequestFailed;
    }
    throw error;
  }
}

/** The real process: global fetch, process streams, and `.env` in the working directory. */
export function defaultDeps(): ProgramDeps {
  // A reader that stops early (request-token | head -1) is not worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(ExitCode.Success);
  });
  const stderr = (text: string): void => {
    process.stderr.write(text);
  };
  let env: Env;
  try {
    env = readEnvironment(process.cwd(), process.env);
  } catch (error) {
    // An unreadable .env should not stop a client whose settings may all be in the environment.
    stderr(`warning: ignoring .env: ${error instanceof Error ? error.message : String(error)}\n`);
    env = { ...process.env };
  }
  return {
    fetch: (url, init) => fetch(url, init),
    env,
    stdout: (text) => {
      process.stdout.write(text);
    },
    stderr,
  };
}

/**
 * The variables in `directory/.env`, if that file exists, overlaid by `processEnv`: the
 * real environment wins, as with the server. `processEnv` is not modified.
 */
export function readEnvironment(directory: string, processEnv: Env): Env {
  let fileEnv: Env = {};
  try {
    fileEnv = parseDotenv(readFileSync(join(directory, '.env')));
  } catch (error) {
    // Duck-typed: fs errors come from Node's realm, which instanceof Error misses under jest.
    const code =
      typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (code !== 'ENOENT') throw error;
  }
  return { ...fileEnv, ...processEnv };
}

/** Reads a variable, treating empty or blank values as unset, as the server does. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** TOKEN_SERVER_URL, else http://localhost:TOKEN_SERVER_PORT, else http://localhost:8002. */
function defaultServerUrl(env: Env, command: Command): string {
  const url = read(env, 'TOKEN_SERVER_URL');
  if (url !== undefined) {
    try {
      return parseServerUrl(url);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return usageError(command, `error: TOKEN_SERVER_URL "${url}" is invalid. ${reason}`);
    }
  }
  const port = read(env, 'TOKEN_SERVER_PORT');
  if (port === undefined) return `http://localhost:${DEFAULT_SERVER_PORT}`;
  const portNumber = Number(port);
  if (!/^\d+$/.test(port) || portNumber < 1 || portNumber > 65535) {
    // 0 is valid for the server (any free port) but tells a client nothing.
    return usageError(
      command,
      `error: TOKEN_SERVER_PORT must be a port from 1 to 65535 (got "${port}"); pass --server or set TOKEN_SERVER_URL.`,
    );
  }
  return `http://localhost:${portNumber}`;
}

function usageError(
  command: Command,
  message: string,
  code = 'request-token.invalidEnvironment',
): never {
  command.error(message, { exitCode: ExitCode.Usage, code });
}

/**
 * The credentials to send: --api-key or --bearer, else TOKEN_SERVER_API_KEY or
 * TOKEN_SERVER_BEARER; none when all are unset. A flag replaces both variables, so that a
 * key in .env does not stand in the way of a --bearer given for one call. The usage errors
 * name where a bad value came from but never show it.
 */
function resolveCredentials(
  options: CliOptions,
  env: Env,
  command: Command,
): Credentials | undefined {
  // Both flags together are commander's conflictingOption error, raised before the action.
  if (options.apiKey !== undefined) return apiKeyCredentials(options.apiKey, '--api-key', command);
  if (options.bearer !== undefined) return bearerCredentials(options.bearer, '--bearer', command);
  const apiKey = read(env, 'TOKEN_SERVER_API_KEY');
  const bearer = read(env, 'TOKEN_SERVER_BEARER');
  if (apiKey !== undefined && bearer !== undefined) {
    return usageError(
      command,
      'error: TOKEN_SERVER_API_KEY and TOKEN_SERVER_BEARER are both set (in the environment or .env); unset one, or choose with --api-key or --bearer.',
      'request-token.conflictingCredentials',
    );
  }
  if (apiKey !== undefined) return apiKeyCredentials(apiKey, 'TOKEN_SERVER_API_KEY', command);
  if (bearer !== undefined) return bearerCredentials(bearer, 'TOKEN_SERVER_BEARER', command);
  return undefined;
}

function apiKeyCredentials(value: string, source: string, command: Command): Credentials {
  const apiKey = value.trim();
  if (apiKey === '') invalidCredentials(command, `error: ${source} is empty.`);
  // Header values cannot hold line breaks or other control characters; fetch would refuse
  // them with an error that quotes the value.
  if (!/^[\x20-\x7e]+$/.test(apiKey)) {
    invalidCredentials(
      command,
      `error: the API key from ${source} can hold only printable ASCII characters (it is sent as a header); the value is not shown.`,
    );
  }
  return { kind: 'api-key', apiKey };
}

function bearerCredentials(value: string, source: string, command: Command): Credentials {
  const jwt = value.trim();
  if (jwt === '') invalidCredentials(command, `error: ${source} is empty.`);
  if (!/^[\x21-\x7e]+$/.test(jwt)) {
    invalidCredentials(
      command,
      `error: the JWT from ${source} can hold only printable ASCII characters without spaces; give the token alone, without "Bearer ". The value is not shown.`,
    );
  }
  return { kind: 'bearer', jwt };
}

function invalidCredentials(command: Command, message: string): never {
  usageError(command, message, 'request-token.invalidCredentials');
}

/**
 * Commander quotes an unknown option whole: a mistyped `--apikey=<key>` would print the key.
 * Keeps the option's name and hides what follows `=`.
 */
function hideUnknownOptionValue(text: string): string {
  // Greedy to the line's last quote: the value may hold quotes itself.
  return text.replace(/^(error: unknown option '[^'=]*=).*'/, "$1…'");
}

/** Deliberately loose: the server has the final say, this only catches typos before sending. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function parseEmail(value: string): string {
  const email = value.trim();
  if (!EMAIL_PATTERN.test(email)) {
    throw new InvalidArgumentError('Expected an email address like ada@example.com.');
  }
  return email;
}

function nonEmpty(what: string): (value: string) => string {
  return (value) => {
    const trimmed = value.trim();
    if (trimmed === '') throw new InvalidArgumentError(`Expected ${what}, got an empty value.`);
    return trimmed;
  };
}

/** An http(s) base URL without trailing slashes, so `/token` can be appended. */
function parseServerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidArgumentError(
      'Expected an http:// or https:// URL like http://localhost:8002.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(
      'Expected an http:// or https:// URL like http://localhost:8002.',
    );
  }
  // fetch refuses URLs with credentials; say so now rather than as a network failure.
  if (url.username !== '' || url.password !== '') {
    throw new InvalidArgumentError('The URL must not contain a user name or password.');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InvalidArgumentError('The URL must not contain a query or fragment.');
  }
  return url.href.replace(/\/+$/, '');
}

function formatOutput(issued: IssuedToken, options: CliOptions): string {
  if (options.quiet) return `${issued.response.token}\n`;
  if (options.json) {
    return issued.responseText.endsWith('\n') ? issued.responseText : `${issued.responseText}\n`;
  }
  return formatSummary(issued.response);
}

function formatSummary(response: TokenResponse): string {
  const rows: Array<[label: string, value: string]> = [
    ['room', response.room_name],
    ['identity', response.identity],
    ['expires at', response.expires_at],
  ];
  if (response.server_url !== undefined) rows.push(['server URL', response.server_url]);
  rows.push(['token', response.token]);
  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(labelWidth)}${value}\n`).join('');
}

function describeServerError(error: TokenServerError): string {
  const details = error.details.map(
    (detail) => `  - ${detail.field === undefined ? '' : `${detail.field}: `}${detail.message}\n`,
  );
  const explanation = explainRefusal(error);
  return `error: the token server answered ${error.status} ${error.code}: ${error.message}\n${details.join('')}${explanation === undefined ? '' : `${explanation}.\n`}`;
}

/** For a 401, 403 or 429: what it means and what to do, in one line. */
function explainRefusal(error: TokenServerError): string | undefined {
  switch (error.status) {
    case 401:
      return explainUnauthenticated(error);
    case 403:
      return explainForbidden(error.code);
    case 429:
      return error.retryAfterSeconds === undefined
        ? 'the token server is rate limiting these requests: retry later'
        : `the token server is rate limiting these requests: retry after ${error.retryAfterSeconds} ${error.retryAfterSeconds === 1 ? 'second' : 'seconds'}`;
    default:
      return undefined;
  }
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

function explainForbidden(code: string): string {
  switch (code) {
    case 'IDENTITY_MISMATCH':
      return 'the --user-id differs from the identity in your login (the bearer JWT): leave out --user-id, or pass that identity';
    case 'ROOM_NOT_ALLOWED':
      return "the room name is not allowed by the token server's ROOM_NAME_PATTERN: choose another --room, or leave it out to get a generated room";
    default:
      return 'the token server does not allow this request: ask its operator for access';
  }
}
