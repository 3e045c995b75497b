// The token-admin command: the moderation API's commands (bans, rooms, audit; invites and the
// waiting room in admin-invite-commands.ts), their options and help, and `runAdmin`, which
// turns every outcome into an exit code, as request-token's program.ts does. The jobs it calls
// on live in their own files: admin-options.ts, admin-client.ts, admin-output.ts,
// admin-explain.ts, and request-token's environment.ts.
import { Argument, Command, CommanderError, Option } from 'commander';
import {
  addBan,
  listBans,
  readAuditPage,
  readWholeAudit,
  removeBan,
  setRoomLimit,
  showRoom,
} from './admin-client';
import { TOKEN_ADMIN_WORDING } from './admin-explain';
import { addInviteCommands, addLobbyCommands, type AdminContextOf } from './admin-invite-commands';
import {
  parseAdminServerUrl,
  parseAuditLimit,
  parseIsoTime,
  parseRoomLimit,
  TOKEN_ADMIN_URLS,
  type AdminGlobalOptions,
  type AuditOptions,
  type BanAddOptions,
  type BanListOptions,
} from './admin-options';
import {
  formatAudit,
  formatBan,
  formatBanList,
  formatMore,
  formatMoreBans,
  formatRoom,
} from './admin-output';
import { defaultServerUrl, resolveCallerCredentials } from './environment';
import { displayJson, jsonAsReceived } from './display-text';
import { explainFailure } from './explain';
import { hideServerUrlSecrets, hideUnknownOptionValue, nonEmpty, parseTtlSeconds } from './options';
import { defaultDeps, ExitCode, fromEnvironment, type ProgramDeps } from './program';
import { CLI_VERSION } from './version';

/** What `--help` prints after the commands: where settings come from, exit codes, examples. */
const HELP_AFTER = [
  '',
  'Options --server, --api-key, --bearer and --json go before or after the command.',
  'Variables (TOKEN_SERVER_URL, TOKEN_SERVER_PORT, TOKEN_SERVER_API_KEY,',
  'TOKEN_SERVER_BEARER) are read from the environment and from .env in the current',
  'directory, as for request-token; the environment wins. Moderators are API-key',
  'callers, logins whose role has roomAdmin, and LiveKit tokens with roomAdmin for',
  'the room (--bearer).',
  '',
  'Exit codes:',
  '  0  done: the answer was printed',
  '  1  the token server could not be reached, or answered with an error (such as',
  '     403 NOT_A_MODERATOR, 404 BAN_NOT_FOUND, 503 MODERATION_UNAVAILABLE), a',
  '     redirect (never followed) or over 4 MiB; nothing on stdout',
  '  2  invalid command, arguments or options; nothing was sent',
  '',
  'Examples:',
  '  token-admin bans add mallory --room demo --reason spam --duration 3600',
  '  token-admin bans list --room demo',
  '  token-admin bans remove 5f0c…',
  '  token-admin rooms limit demo 50',
  '  token-admin rooms show demo --json',
  '  token-admin audit demo --since 2030-01-02T00:00:00Z --all',
  '  token-admin invites create demo --max-uses 5 --waiting-room',
  '  token-admin lobby list demo',
  '  token-admin lobby admit demo 9b2e…',
].join('\n');

/** Printed after a usage error in place of the full help. */
const SEE_HELP = 'see token-admin --help';

/**
 * Builds the `token-admin` command and its subcommands. It writes through `deps` only and
 * never exits the process itself; runAdmin sets exitOverride() on every command.
 */
export function buildAdminProgram(deps: ProgramDeps): Command {
  const program = new Command('token-admin')
    .description(
      "Moderates a running LiveKit token server: bans, rooms' caps, the audit trail, invites and the waiting room.",
    )
    .addOption(
      new Option(
        '--server <url>',
        'the token server to ask (default: $TOKEN_SERVER_URL, else http://localhost:$TOKEN_SERVER_PORT, else http://localhost:8002)',
      ).argParser(parseAdminServerUrl),
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
        'authenticate with a login JWT or a LiveKit token with roomAdmin, sent as Authorization: Bearer (default: $TOKEN_SERVER_BEARER)',
      ),
    )
    .addOption(new Option('--json', "print the server's JSON answer as received"))
    .version(CLI_VERSION, '-V, --version', 'print the version of token-admin and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .addHelpText('after', HELP_AFTER)
    .configureOutput({
      writeOut: deps.stdout,
      writeErr: deps.stderr,
      outputError: (text, write) => write(hideServerUrlSecrets(hideUnknownOptionValue(text))),
    })
    .showHelpAfterError(SEE_HELP);

  /** The server, the credentials and --json, from the options of `command` and above it. */
  const contextOf: AdminContextOf = (command) => {
    const options = command.optsWithGlobals<AdminGlobalOptions>();
    const serverUrl =
      options.server ??
      fromEnvironment(command, () => defaultServerUrl(deps.env, TOKEN_ADMIN_URLS));
    const credentials = fromEnvironment(command, () => resolveCallerCredentials(options, deps.env));
    return {
      request: { serverUrl, ...(credentials === undefined ? {} : { credentials }) },
      json: options.json === true,
    };
  };

  const bans = program.command('bans').description('add, list and lift bans');
  bans
    .command('add')
    .description('ban an identity from a room, or from every room (POST /bans)')
    .addArgument(
      new Argument('<identity>', 'the identity to ban').argParser(nonEmpty('an identity')),
    )
    .addOption(
      new Option('--room <room>', 'the room to ban from (default: every room)').argParser(
        nonEmpty('a room name'),
      ),
    )
    .addOption(
      new Option('--reason <text>', 'why, kept with the ban and in the audit trail').argParser(
        nonEmpty('a reason'),
      ),
    )
    .addOption(
      new Option(
        '--duration <seconds>',
        'lift the ban by itself after this many seconds (default: until lifted)',
      ).argParser(parseTtlSeconds),
    )
    .action(async (identity: string, options: BanAddOptions, command: Command) => {
      const { request, json } = contextOf(command);
      const ban = await addBan(
        {
          identity,
          ...(options.room === undefined ? {} : { room: options.room }),
          ...(options.reason === undefined ? {} : { reason: options.reason }),
          ...(options.duration === undefined ? {} : { durationSeconds: options.duration }),
        },
        request,
        deps.fetch,
      );
      deps.stdout(json ? jsonAsReceived(ban.text, ban.value) : formatBan(ban.value));
    });
  bans
    .command('list')
    .description('list the bans in force, oldest first (GET /bans, every page)')
    .addOption(
      new Option('--room <room>', "only this room's bans").argParser(nonEmpty('a room name')),
    )
    .addOption(
      new Option('--identity <identity>', "only this identity's bans").argParser(
        nonEmpty('an identity'),
      ),
    )
    .addOption(
      new Option(
        '--after <cursor>',
        'start after this cursor, where an earlier listing stopped at its bound',
      ).argParser(nonEmpty('a cursor')),
    )
    .action(async (options: BanListOptions, command: Command) => {
      const { request, json } = contextOf(command);
      // Every page, followed to the end: pages of the server's most (1000), as one list.
      const { items: bans, next } = await listBans(options, request, deps.fetch);
      deps.stdout(
        json
          ? `${displayJson(next === undefined ? { bans } : { bans, next })}\n`
          : formatBanList(bans),
      );
      if (next !== undefined) deps.stderr(formatMoreBans(options, next));
    });
  bans
    .command('remove')
    .description('lift a ban (DELETE /bans/{id})')
    .addArgument(
      new Argument('<id>', 'the ban id, as bans list shows it').argParser(nonEmpty('a ban id')),
    )
    .action(async (id: string, _options: unknown, command: Command) => {
      const { request, json } = contextOf(command);
      await removeBan(id, request, deps.fetch);
      // The server answers 204 without a body: with --json, there is no JSON to print.
      if (!json) deps.stdout(`lifted ban ${id}\n`);
    });

  const rooms = program.command('rooms').description('show a room, set its cap');
  rooms
    .command('show')
    .description("show a room's cap, participants and seats (GET /rooms/{room})")
    .addArgument(new Argument('<room>', 'the room').argParser(nonEmpty('a room name')))
    .action(async (room: string, _options: unknown, command: Command) => {
      const { request, json } = contextOf(command);
      const view = await showRoom(room, request, deps.fetch);
      deps.stdout(json ? jsonAsReceived(view.text, view.value) : formatRoom(view.value));
    });
  rooms
    .command('limit')
    .description("set or lift a room's cap on participants (PUT /rooms/{room})")
    .addArgument(new Argument('<room>', 'the room').argParser(nonEmpty('a room name')))
    .addArgument(
      new Argument('<N|none>', 'the most participants, or none for no cap').argParser(
        parseRoomLimit,
      ),
    )
    .action(async (room: string, limit: number | null, _options: unknown, command: Command) => {
      const { request, json } = contextOf(command);
      const view = await setRoomLimit(room, limit, request, deps.fetch);
      deps.stdout(json ? jsonAsReceived(view.text, view.value) : formatRoom(view.value));
    });

  program
    .command('audit')
    .description("read a room's audit trail, oldest first (GET /rooms/{room}/audit)")
    .addArgument(new Argument('<room>', 'the room').argParser(nonEmpty('a room name')))
    .addOption(
      new Option('--since <time>', 'entries at or after this ISO 8601 time').argParser(
        parseIsoTime,
      ),
    )
    .addOption(
      new Option('--until <time>', 'entries before this ISO 8601 time').argParser(parseIsoTime),
    )
    .addOption(
      new Option('--identity <identity>', "only this identity's entries").argParser(
        nonEmpty('an identity'),
      ),
    )
    .addOption(
      new Option('--limit <n>', 'entries per page, 1 to 1000 (default: 100)').argParser(
        parseAuditLimit,
      ),
    )
    .addOption(
      new Option('--after <cursor>', 'start after this cursor, a page\'s "next"').argParser(
        nonEmpty('a cursor'),
      ),
    )
    .addOption(
      new Option(
        '--all',
        'follow "next" to the last page (at most 100 pages or 16 MiB), printed as one list',
      ),
    )
    .action(async (room: string, options: AuditOptions, command: Command) => {
      const { request, json } = contextOf(command);
      const query = {
        room,
        ...(options.since === undefined ? {} : { since: options.since }),
        ...(options.until === undefined ? {} : { until: options.until }),
        ...(options.identity === undefined ? {} : { identity: options.identity }),
        ...(options.limit === undefined ? {} : { limit: options.limit }),
        ...(options.after === undefined ? {} : { after: options.after }),
      };
      if (options.all) {
        const whole = await readWholeAudit(query, request, deps.fetch);
        const { entries, next } = whole;
        // Pages joined: one document, re-serialised, with the `next` left when a bound stopped.
        deps.stdout(
          json
            ? `${displayJson(next === undefined ? { entries } : { entries, next })}\n`
            : formatAudit(entries),
        );
        if (next !== undefined) deps.stderr(formatMore(room, next, true));
        return;
      }
      const page = await readAuditPage(query, request, deps.fetch);
      deps.stdout(json ? jsonAsReceived(page.text, page.value) : formatAudit(page.value.entries));
      if (!json && page.value.next !== undefined)
        deps.stderr(formatMore(room, page.value.next, false));
    });
  addInviteCommands(program, deps, contextOf);
  addLobbyCommands(program, deps, contextOf);
  return program;
}

/**
 * Runs token-admin on `argv` (as in `process.argv`: node, script, then arguments) and
 * resolves to the exit code. Request failures are reported on stderr, never thrown.
 */
export async function runAdmin(
  argv: readonly string[],
  deps: ProgramDeps = defaultDeps(),
): Promise<number> {
  const program = buildAdminProgram(deps);
  exitOverrideEverywhere(program);
  try {
    await program.parseAsync(argv, { from: 'node' });
    return ExitCode.Success;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the error and SEE_HELP, or the help or version asked for.
      return error.exitCode === 0 ? ExitCode.Success : ExitCode.Usage;
    }
    const explanation = explainFailure(error, TOKEN_ADMIN_WORDING);
    if (explanation === undefined) throw error;
    deps.stderr(explanation);
    return ExitCode.RequestFailed;
  }
}

/** Commander's errors thrown, not exiting, from `command` and every command below it. */
export function exitOverrideEverywhere(command: Command): void {
  command.exitOverride();
  for (const subcommand of command.commands) exitOverrideEverywhere(subcommand);
}
