import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parse as parseDotenv } from 'dotenv';
import {
  InvalidTokenError,
  requestToken,
  TokenServerError,
  UnreachableServerError,
  validateToken,
  type Credentials,
  type Fetch,
  type IssuedToken,
  type TokenResponse,
  type TokenValidation,
  type ValidationResponse,
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
  /**
   * The token server could not be reached, answered with an error, refused the token at
   * /validate, or (for --env) has no LIVEKIT_URL.
   */
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
  role?: string;
  metadata?: string;
  /** From the repeated --attribute, in the order given. */
  attribute?: ReadonlyMap<string, string>;
  agent?: string;
  agentMetadata?: string;
  ttl?: number;
  validate?: boolean;
  env?: boolean;
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
    .addOption(
      new Option(
        '--role <name>',
        "the role whose grants the token carries, such as participant, viewer or host (default: the server's DEFAULT_ROLE)",
      ).argParser(nonEmpty('a role name')),
    )
    .addOption(
      new Option(
        '--metadata <text>',
        'participant metadata to put in the token, as is (often JSON)',
      ),
    )
    .addOption(
      new Option(
        '--attribute <key=value>',
        'a participant attribute to put in the token; repeat for more (the first = ends the key)',
      ).argParser(collectAttribute),
    )
    .addOption(
      new Option(
        '--agent <name>',
        'an agent to dispatch to the room when the participant joins',
      ).argParser(nonEmpty('an agent name')),
    )
    .addOption(
      new Option('--agent-metadata <text>', "metadata for the --agent's job (needs --agent)"),
    )
    .addOption(
      new Option(
        '--ttl <seconds>',
        "a token lifetime shorter than the server's, in seconds (default and most: its TOKEN_EXPIRY_HOURS)",
      ).argParser(parseTtlSeconds),
    )
    .addOption(
      new Option(
        '--validate',
        'have the token server check the new token (POST /validate) and print what it grants',
      ),
    )
    .addOption(new Option('--json', "print the server's JSON answer unchanged").conflicts('quiet'))
    .addOption(new Option('--quiet', 'print only the token, for TOKEN=$(request-token --quiet)'))
    .addOption(
      new Option(
        '--env',
        'print LIVEKIT_URL=<url> and LIVEKIT_TOKEN=<token>, for eval or a .env file',
      ).conflicts(['json', 'quiet']),
    )
    .addHelpText(
      'after',
      [
        '',
        'Variables (TOKEN_SERVER_URL, TOKEN_SERVER_PORT, TOKEN_SERVER_API_KEY,',
        'TOKEN_SERVER_BEARER) are read from the environment and from .env in the current',
        'directory; the environment wins. --api-key or --bearer replaces both credential',
        'variables. Prefer TOKEN_SERVER_API_KEY to --api-key: arguments show in ps.',
        '',
        '--env needs a token server with LIVEKIT_URL set. With --validate, --json adds the',
        'answer of /validate under "validation", and --env prints its summary on stderr.',
        '',
        'Exit codes:',
        '  0  the token was printed',
        '  1  the token server could not be reached, or answered with an error (such as',
        '     401 for missing or refused credentials, 403 not allowed, 429 rate limited),',
        '     or /validate refused the token, or --env got no server_url; nothing on stdout',
        '  2  invalid options; nothing was sent',
        '',
        'Examples:',
        '  request-token --room demo --email ada@example.com --name "Ada Lovelace"',
        '  TOKEN=$(request-token --quiet)',
        '  request-token --server https://tokens.example.com --json',
        '  TOKEN_SERVER_API_KEY="$(cat ~/.token-server-key)" request-token --room demo',
        '  request-token --bearer "$SESSION_JWT" --room demo',
        '  request-token --room demo --role viewer --ttl 600 --validate',
        '  request-token --attribute team=blue --attribute seat=12 --metadata \'{"lang":"en"}\'',
        '  request-token --agent support-bot --agent-metadata \'{"topic":"billing"}\'',
        '  vars=$(request-token --env --room demo) && eval "$vars"',
        '  request-token --env >> .env',
      ].join('\n'),
    )
    .configureOutput({
      writeOut: deps.stdout,
      writeErr: deps.stderr,
      outputError: (text, write) => write(hideUnknownOptionValue(text)),
    })
    .showHelpAfterError()
    .action(async (options: CliOptions, command: Command) => {
      if (options.agentMetadata !== undefined && options.agent === undefined) {
        usageError(
          command,
          "error: --agent-metadata needs --agent <name>: it is the metadata of that agent's job.",
          'request-token.agentMetadataWithoutAgent',
        );
      }
      const serverUrl = options.server ?? defaultServerUrl(deps.env, command);
      const credentials = resolveCredentials(options, deps.env, command);
      const issued = await requestToken(
        {
          serverUrl,
          email: options.email,
          fullName: options.name,
          ...(options.userId === undefined ? {} : { userId: options.userId }),
          ...(options.room === undefined ? {} : { roomName: options.room }),
          ...(options.role === undefined ? {} : { role: options.role }),
          ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
          ...(options.attribute === undefined
            ? {}
            : { attributes: Object.fromEntries(options.attribute) }),
          ...(options.agent === undefined
            ? {}
            : {
                agent: {
                  agentName: options.agent,
                  ...(options.agentMetadata === undefined
                    ? {}
                    : { metadata: options.agentMetadata }),
                },
              }),
          ...(options.ttl === undefined ? {} : { ttlSeconds: options.ttl }),
          ...(credentials === undefined ? {} : { credentials }),
        },
        deps.fetch,
      );
      // Checked before /validate: without a URL, --env has nothing worth validating for.
      if (options.env && issued.response.server_url === undefined) {
        throw new MissingServerUrlError(serverUrl);
      }
      const validation = options.validate
        ? await validateToken(
            {
              serverUrl,
              token: issued.response.token,
              ...(credentials === undefined ? {} : { credentials }),
            },
            deps.fetch,
          )
        : undefined;
      // Printed only now, so that a failed validation leaves stdout empty (eval-safe).
      const output = formatOutput(issued, validation, options);
      deps.stdout(output.stdout);
      if (output.stderr !== '') deps.stderr(output.stderr);
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
    if (error instanceof InvalidTokenError) {
      deps.stderr(
        `error: the token server issued a token, but /validate says it is not valid: ${error.code}: ${error.message}\n`,
      );
      return ExitCode.RequestFailed;
    }
    if (error instanceof MissingServerUrlError) {
      deps.stderr(
        `error: the token server at ${error.serverUrl} has no LIVEKIT_URL set, so its answer has no server_url for --env to print.\n` +
          "Set LIVEKIT_URL in the token server's environment or .env and restart it, or leave out --env.\n",
      );
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

/**
 * One --attribute added to those before it. The first `=` ends the key, so a value may hold
 * `=` or be empty; a key given twice is an error rather than a silent overwrite.
 */
function collectAttribute(
  value: string,
  previous: ReadonlyMap<string, string> | undefined,
): Map<string, string> {
  const separator = value.indexOf('=');
  if (separator === -1) {
    throw new InvalidArgumentError('Expected key=value, like team=blue.');
  }
  const key = value.slice(0, separator);
  if (key === '') throw new InvalidArgumentError('Expected a key before "=", like team=blue.');
  if (previous?.has(key)) {
    throw new InvalidArgumentError(
      `The key ${JSON.stringify(key)} is given twice; give each attribute once.`,
    );
  }
  return new Map(previous).set(key, value.slice(separator + 1));
}

/** A positive whole number of seconds; the server checks the upper bound. */
function parseTtlSeconds(value: string): number {
  const trimmed = value.trim();
  const seconds = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(seconds) || seconds < 1) {
    throw new InvalidArgumentError('Expected a positive whole number of seconds, like 600.');
  }
  return seconds;
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

/** What to print where. */
interface Output {
  stdout: string;
  stderr: string;
}

function formatOutput(
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
      return { stdout: `${JSON.stringify(combined)}\n`, stderr: '' };
    }
    const text = issued.responseText;
    return { stdout: text.endsWith('\n') ? text : `${text}\n`, stderr: '' };
  }
  if (options.env) {
    // The action refused an answer without server_url before getting here.
    const serverUrl = issued.response.server_url ?? '';
    return {
      stdout: `LIVEKIT_URL=${shellQuote(serverUrl)}\nLIVEKIT_TOKEN=${shellQuote(issued.response.token)}\n`,
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

/** Characters that need no quoting in a POSIX shell word nor in a .env value. */
const SHELL_SAFE = /^[A-Za-z0-9_.:/@%+=,-]+$/;

/**
 * `value` as one shell word: as is when it is safe, else in single quotes, each `'` inside
 * written as `'\''`. JWTs and usual URLs are safe.
 */
export function shellQuote(value: string): string {
  if (SHELL_SAFE.test(value)) return value;
  return `'${value.replace(/'/g, "'\\''")}'`;
}

function formatSummary(response: TokenResponse, options: CliOptions): string {
  const rows: Array<[label: string, value: string]> = [
    ['room', response.room_name],
    ['identity', response.identity],
  ];
  if (response.role !== undefined) rows.push(['role', response.role]);
  rows.push(['expires at', response.expires_at]);
  if (response.server_url !== undefined) rows.push(['server URL', response.server_url]);
  // What was asked for: the answer of /token does not repeat it (--validate shows the token's).
  if (options.metadata !== undefined && options.metadata !== '') {
    rows.push(['metadata', displayText(options.metadata)]);
  }
  if (options.attribute !== undefined) {
    rows.push(['attributes', JSON.stringify(Object.fromEntries(options.attribute))]);
  }
  if (options.agent !== undefined) rows.push(['agent', displayText(options.agent)]);
  if (options.agentMetadata !== undefined) {
    rows.push(['agent metadata', displayText(options.agentMetadata)]);
  }
  rows.push(['token', response.token]);
  return formatRows(rows, '');
}

/** What /validate decoded from the token. Values it reports as null show as (none). */
function formatValidation(response: ValidationResponse): string {
  const text = (value: string | null) => (value === null ? '(none)' : displayText(value));
  const json = (value: unknown) => (value === null ? '(none)' : JSON.stringify(value));
  const rows: Array<[label: string, value: string]> = [
    ['identity', text(response.identity)],
    ['name', text(response.name)],
    ['room', text(response.room)],
    ['expires at', response.expires_at],
    ['grants', json(response.grants)],
  ];
  // Servers that predate these fields leave them out: nothing to show rather than "(none)".
  if (response.metadata !== undefined) rows.push(['metadata', text(response.metadata)]);
  if (response.attributes !== undefined) rows.push(['attributes', json(response.attributes)]);
  if (response.room_config !== undefined) rows.push(['room config', json(response.room_config)]);
  return `validated: the token server accepts the token, which holds\n${formatRows(rows, '  ')}`;
}

function formatRows(rows: ReadonlyArray<[label: string, value: string]>, indent: string): string {
  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows
    .map(([label, value]) => `${indent}${`${label}:`.padEnd(labelWidth)}${value}\n`)
    .join('');
}

/**
 * Text as is, or as a JSON string when it holds line breaks or other control characters,
 * which would break the layout or drive the terminal.
 */
function displayText(value: string): string {
  return /\p{Cc}/u.test(value) ? JSON.stringify(value) : value;
}

function describeServerError(error: TokenServerError): string {
  const details = error.details.map(
    (detail) => `  - ${detail.field === undefined ? '' : `${detail.field}: `}${detail.message}\n`,
  );
  const explanation = explainRefusal(error);
  const answered = error.path === '/token' ? 'answered' : `answered ${error.path} with`;
  return `error: the token server ${answered} ${error.status} ${error.code}: ${error.message}\n${details.join('')}${explanation === undefined ? '' : `${explanation}.\n`}`;
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
    case 'ROLE_NOT_ALLOWED':
      return 'the token server does not let you take this role: choose a --role it is open to, or ask its operator for the role';
    case 'AGENT_NOT_ALLOWED':
      return "the --agent is not in the token server's AGENT_NAMES: choose one of those agents, or ask its operator to add it";
    default:
      return 'the token server does not allow this request: ask its operator for access';
  }
}
