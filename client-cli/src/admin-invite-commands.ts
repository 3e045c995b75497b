// token-admin's commands for invites (create, list, revoke) and the waiting room (list, admit,
// deny), added to the program that admin-program.ts builds, with its global options. What they
// send is in admin-client.ts, what they print in admin-output.ts.
import { Argument, Option, type Command } from 'commander';
import {
  createInvite,
  decideLobbyEntry,
  listInvites,
  listLobby,
  revokeInvite,
  type LobbyDecision,
} from './admin-client';
import { parseInviteSeconds, parseMaxUses, type InviteCreateOptions } from './admin-options';
import {
  formatCreatedInvite,
  formatInviteList,
  formatLobby,
  formatLobbyDecision,
} from './admin-output';
import { jsonAsReceived } from './display-text';
import { nonEmpty } from './options';
import type { ProgramDeps } from './program';
import type { ServerRequestOptions } from './server-request';

/** The server, the credentials and --json of a command, read as admin-program.ts reads them. */
export type AdminContextOf = (command: Command) => {
  request: ServerRequestOptions;
  json: boolean;
};

/** Adds `invites create`, `invites list` and `invites revoke` to `program`. */
export function addInviteCommands(
  program: Command,
  deps: ProgramDeps,
  contextOf: AdminContextOf,
): void {
  const invites = program.command('invites').description('make, list and revoke invite codes');
  invites
    .command('create')
    .description('make an invite code to a room, shown only this once (POST /invites)')
    .addArgument(roomArgument('the room the invite lets guests join'))
    .addOption(
      new Option(
        '--role <name>',
        "the role whose grants the guests' tokens carry (default: the server's DEFAULT_ROLE)",
      ).argParser(nonEmpty('a role name')),
    )
    .addOption(
      new Option('--max-uses <n>', 'how many guests may use it, 1 to 10000 (default: 1)').argParser(
        parseMaxUses,
      ),
    )
    .addOption(
      new Option(
        '--expires-in <seconds>',
        'how long it may be used, 60 to 2592000 seconds (default: 86400, a day)',
      ).argParser(parseInviteSeconds),
    )
    .addOption(
      new Option(
        '--identity <identity>',
        'the identity the guest gets (default: guest-<random>, one per guest)',
      ).argParser(nonEmpty('an identity')),
    )
    .addOption(
      new Option('--name <name>', 'the display name the guest gets').argParser(nonEmpty('a name')),
    )
    .addOption(new Option('--waiting-room', 'have a moderator admit each guest (lobby admit)'))
    .action(async (room: string, options: InviteCreateOptions, command: Command) => {
      const { request, json } = contextOf(command);
      const invite = await createInvite(
        {
          room,
          ...(options.role === undefined ? {} : { role: options.role }),
          ...(options.maxUses === undefined ? {} : { maxUses: options.maxUses }),
          ...(options.expiresIn === undefined ? {} : { expiresInSeconds: options.expiresIn }),
          ...(options.identity === undefined ? {} : { identity: options.identity }),
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(options.waitingRoom === true ? { waitingRoom: true } : {}),
        },
        request,
        deps.fetch,
      );
      deps.stdout(
        json ? jsonAsReceived(invite.text, invite.value) : formatCreatedInvite(invite.value),
      );
    });
  invites
    .command('list')
    .description("list a room's invites, without their codes (GET /invites)")
    .addArgument(roomArgument('the room'))
    .action(async (room: string, _options: unknown, command: Command) => {
      const { request, json } = contextOf(command);
      const list = await listInvites(room, request, deps.fetch);
      deps.stdout(
        json ? jsonAsReceived(list.text, list.value) : formatInviteList(list.value.invites),
      );
    });
  invites
    .command('revoke')
    .description('revoke an invite: its code no longer lets anyone in (DELETE /invites/{id})')
    .addArgument(
      new Argument('<id>', 'the invite id, as invites list shows it').argParser(
        nonEmpty('an invite id'),
      ),
    )
    .action(async (id: string, _options: unknown, command: Command) => {
      const { request, json } = contextOf(command);
      await revokeInvite(id, request, deps.fetch);
      // The server answers 204 without a body: with --json, there is no JSON to print.
      if (!json) deps.stdout(`revoked invite ${id}\n`);
    });
}

/** Adds `lobby list`, `lobby admit` and `lobby deny` to `program`. */
export function addLobbyCommands(
  program: Command,
  deps: ProgramDeps,
  contextOf: AdminContextOf,
): void {
  const lobby = program
    .command('lobby')
    .description("see who waits in a room's waiting room, admit or deny them");
  lobby
    .command('list')
    .description('list the guests waiting, oldest first (GET /rooms/{room}/lobby)')
    .addArgument(roomArgument('the room'))
    .action(async (room: string, _options: unknown, command: Command) => {
      const { request, json } = contextOf(command);
      const list = await listLobby(room, request, deps.fetch);
      deps.stdout(json ? jsonAsReceived(list.text, list.value) : formatLobby(list.value.waiting));
    });
  const decide = (decision: LobbyDecision, description: string) =>
    lobby
      .command(decision)
      .description(`${description} (POST /rooms/{room}/lobby/{id}/${decision})`)
      .addArgument(roomArgument('the room'))
      .addArgument(
        new Argument('<id>', 'the waiting guest, as lobby list shows it').argParser(
          nonEmpty('an entry id'),
        ),
      )
      .action(async (room: string, id: string, _options: unknown, command: Command) => {
        const { request, json } = contextOf(command);
        const decided = await decideLobbyEntry(room, id, decision, request, deps.fetch);
        deps.stdout(
          json ? jsonAsReceived(decided.text, decided.value) : formatLobbyDecision(decided.value),
        );
      });
  decide('admit', 'let a waiting guest in: its request-token gets the token');
  decide('deny', 'turn a waiting guest away');
}

function roomArgument(description: string): Argument {
  return new Argument('<room>', description).argParser(nonEmpty('a room name'));
}
