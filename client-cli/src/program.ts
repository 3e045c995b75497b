// The request-token command: its options and help, the action that asks the token server,
// and `run`, which turns every outcome into an exit code. The jobs it calls on live in
// their own files: options.ts, environment.ts, client.ts, invite-client.ts, output.ts and
// explain.ts.
import { Command, CommanderError, Option } from 'commander';
import { requestToken, validateToken, type Fetch } from './client';
import {
  defaultServerUrl,
  readEnvironment,
  resolveCallerCredentials,
  UsageError,
  type Env,
} from './environment';
import { explainFailure } from './explain';
import { redeemInvite } from './invite-client';
import {
  collectAttribute,
  DEFAULT_EMAIL,
  DEFAULT_NAME,
  hideServerUrlSecrets,
  hideUnknownOptionValue,
  nonEmpty,
  parseEmail,
  parseServerUrl,
  parseTtlSeconds,
  tokenRequestOf,
  type CliOptions,
} from './options';
import { formatOutput, formatWaiting, MissingServerUrlError } from './output';
import { CLI_VERSION } from './version';

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
  /** A token was printed, or the help or the version was asked for. */
  Success: 0,
  /**
   * The token server could not be reached, answered with an error, refused the token at
   * /validate, or (for --env) has no LIVEKIT_URL; or a guest's wait in the waiting room
   * ended without a token.
   */
  RequestFailed: 1,
  /** The options or the environment are invalid; nothing was sent. */
  Usage: 2,
} as const;

/** What `--help` prints after the options: where settings come from, exit codes, examples. */
const HELP_AFTER_OPTIONS = [
  '',
  'Variables (TOKEN_SERVER_URL, TOKEN_SERVER_PORT, TOKEN_SERVER_API_KEY,',
  'TOKEN_SERVER_BEARER) are read from the environment and from .env in the current',
  'directory; the environment wins. --api-key or --bearer replaces both credential',
  'variables. Prefer TOKEN_SERVER_API_KEY to --api-key: arguments show in ps.',
  'With --bearer (or TOKEN_SERVER_BEARER), --email and --name are sent only when',
  'given: a server with AUTH_MODE=jwt takes the identity and the name from the login.',
  '',
  '--invite sends an invite code as X-Invite-Code in place of any credentials, and the',
  'other options only when given: the invite names the room and the role. For a room',
  'with a waiting room, request-token says so on stderr and waits until a moderator',
  'admits you (then prints the token) or denies you, or the wait ends (exit code 1).',
  '',
  "--env needs a token server with LIVEKIT_URL set, of a URL's characters and not both",
  "' and $, so that sh and a .env file read it back exactly. With --validate, --json",
  'adds the answer of /validate under "validation", and --env prints its summary on',
  'stderr.',
  '',
  'Exit codes:',
  '  0  the token was printed (or the help, or the version)',
  '  1  the token server could not be reached, or answered with an error (such as',
  '     401 for missing or refused credentials, 403 not allowed, 429 rate limited),',
  '     a redirect (never followed: it would take the credentials elsewhere) or',
  '     over 4 MiB, or /validate refused the token, or --env got no server_url',
  '     (or one it cannot write exactly), or a wait in a waiting room ended',
  '     without a token (denied, or the wait ran out); nothing on stdout',
  '  2  invalid options; nothing was sent, and stderr names the problem',
  '',
  'Examples:',
  '  request-token --room demo --email ada@example.com --name "Ada Lovelace"',
  '  TOKEN=$(request-token --quiet)',
  '  request-token --server https://tokens.example.com --json',
  '  TOKEN_SERVER_API_KEY="$(cat ~/.token-server-key)" request-token --room demo',
  '  request-token --bearer "$SESSION_JWT" --room demo',
  '  request-token --invite kfmw-ptra-hxce-bnqd --name "Ada Lovelace"',
  '  request-token --room demo --role viewer --ttl 600 --validate',
  '  request-token --attribute team=blue --attribute seat=12 --metadata \'{"lang":"en"}\'',
  '  request-token --agent support-bot --agent-metadata \'{"topic":"billing"}\'',
  '  vars=$(request-token --env --room demo) && eval "$vars"',
  '  request-token --env >> .env',
].join('\n');

/** Printed after a usage error in place of the full help, which would scroll the error away. */
const SEE_HELP = 'see request-token --help';

/**
 * Builds the `request-token` command. It writes through `deps` only and never exits the
 * process itself; call `exitOverride()` on it to get commander's errors thrown.
 */
export function buildProgram(deps: ProgramDeps): Command {
  const program = new Command('request-token')
    .description('Asks a running LiveKit token server for an access token and prints it.')
    // No commander default on these two: with a login, what is not given is not sent.
    .addOption(
      new Option(
        '--email <email>',
        `the participant's email address (default: ${DEFAULT_EMAIL}; none with --bearer, whose login gives the identity)`,
      ).argParser(parseEmail),
    )
    .addOption(
      new Option(
        '--name <name>',
        `the participant's display name (default: "${DEFAULT_NAME}"; none with --bearer, whose login's name the server uses)`,
      ).argParser(nonEmpty('a name')),
    )
    .addOption(
      new Option(
        '--room <room>',
        'the room to join (default: the server makes a new room, room-<96 random bits>)',
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
    // No argParser: commander's message for a rejected argument quotes the value.
    .addOption(
      new Option(
        '--invite <code>',
        'join as a guest with this invite code, sent as X-Invite-Code in place of --api-key or --bearer',
      ).conflicts(['apiKey', 'bearer', 'validate']),
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
    .addOption(
      new Option(
        '--json',
        "print the server's JSON answer as received (on one line, with control and bidi characters escaped, if it holds any)",
      ).conflicts('quiet'),
    )
    .addOption(new Option('--quiet', 'print only the token, for TOKEN=$(request-token --quiet)'))
    .addOption(
      new Option(
        '--env',
        'print LIVEKIT_URL=<url> and LIVEKIT_TOKEN=<token>, for eval or a .env file',
      ).conflicts(['json', 'quiet']),
    )
    .version(CLI_VERSION, '-V, --version', 'print the version of request-token and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .addHelpText('after', HELP_AFTER_OPTIONS)
    .configureOutput({
      writeOut: deps.stdout,
      writeErr: deps.stderr,
      outputError: (text, write) => write(hideServerUrlSecrets(hideUnknownOptionValue(text))),
    })
    .showHelpAfterError(SEE_HELP)
    .action(async (options: CliOptions, command: Command) => {
      if (options.agentMetadata !== undefined && options.agent === undefined) {
        usageError(
          command,
          "error: --agent-metadata needs --agent <name>: it is the metadata of that agent's job.",
          'request-token.agentMetadataWithoutAgent',
        );
      }
      const serverUrl =
        options.server ?? fromEnvironment(command, () => defaultServerUrl(deps.env));
      const credentials = fromEnvironment(command, () =>
        resolveCallerCredentials(options, deps.env),
      );
      const request = tokenRequestOf(options, serverUrl, credentials);
      const issued =
        credentials?.kind === 'invite'
          ? await redeemInvite(request, deps.fetch, (ticket) => deps.stderr(formatWaiting(ticket)))
          : await requestToken(request, deps.fetch);
      // Checked before /validate: without a URL, --env has nothing worth validating for. An
      // empty one is none, as an empty LIVEKIT_URL is for the server.
      if (options.env && !issued.response.server_url) {
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
      // Commander has already printed the error and SEE_HELP, or the help or version asked for.
      return error.exitCode === 0 ? ExitCode.Success : ExitCode.Usage;
    }
    const explanation = explainFailure(error);
    if (explanation === undefined) throw error;
    deps.stderr(explanation);
    return ExitCode.RequestFailed;
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
 * `read()`, with a UsageError from the environment turned into commander's usage error:
 * printed with the pointer to --help, exit code 2, nothing sent.
 */
export function fromEnvironment<T>(command: Command, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof UsageError) usageError(command, `error: ${error.message}`, error.code);
    throw error;
  }
}

/** Prints `message` and the pointer to --help on stderr, and ends the parse with exit code 2. */
export function usageError(command: Command, message: string, code: string): never {
  command.error(message, { exitCode: ExitCode.Usage, code });
}
