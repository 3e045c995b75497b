// What request-token adds to the shared explanations (explain.ts) for a guest with an invite:
// one line on what the refusals of an invite and of the waiting room mean and what to do, and
// how a wait that ended without a token is told. Neither the code nor the poll token is ever
// part of them: the errors do not carry them.
import type { LobbyClosedError, TokenServerError } from './client-errors';
import { displayText } from './display-text';

/** Where a guest with a spent or wrong invite turns. */
const ASK_FOR_ANOTHER = 'ask whoever sent it for a new one';

/** The line for a refusal of an invite or of the waiting room, or undefined to leave it. */
export function explainInviteRefusal(error: TokenServerError): string | undefined {
  switch (error.code) {
    case 'INVITE_NOT_FOUND':
      return `no invite has this code: it is mistyped, or was revoked (only its letters count, not case, spaces or dashes); check it, or ${ASK_FOR_ANOTHER}`;
    case 'INVITE_EXPIRED':
      return `the invite has expired: ${ASK_FOR_ANOTHER}`;
    case 'INVITE_USED_UP':
      return `the invite was used as many times as it allows: ${ASK_FOR_ANOTHER}`;
    case 'INVITE_NOT_FOR_ROOM':
      return 'the invite is for another room than --room: leave out --room, since the invite names its room';
    case 'LOBBY_ENTRY_NOT_FOUND':
      return 'the token server no longer knows this place in its waiting room: run request-token --invite again, if the invite has uses left';
    case 'INVALID_POLL_TOKEN':
      return 'the token server refused the poll token it gave for this place in its waiting room: run request-token --invite again, if the invite has uses left';
    default:
      // A server that predates invites takes no X-Invite-Code: it asks for its usual credentials.
      return error.status === 401 && error.credentialsSent === 'invite'
        ? 'the token server did not take the invite code: it may predate invites (ask its operator), or --server (or TOKEN_SERVER_URL) is not the server the invite is for'
        : undefined;
  }
}

/** What to print on stderr for a wait in the waiting room that ended without a token. */
export function explainLobbyClosed(error: LobbyClosedError): string {
  const entry = `waiting room entry ${displayText(error.lobbyId)}`;
  switch (error.ending) {
    case 'denied':
      return `error: a moderator of the token server at ${error.serverUrl} denied entry (${entry}); no token was issued.\n`;
    case 'expired':
      return (
        `error: nobody admitted you before the wait ended at ${displayText(error.expiresAt)} (${entry}); no token was issued.\n` +
        'Run request-token --invite again to wait anew, if the invite has uses left, and ask a moderator to look at the waiting room.\n'
      );
    case 'collected':
      return `error: the token server at ${error.serverUrl} says you were admitted (${entry}), but the token was already collected: it hands it out once. Run request-token --invite again, if the invite has uses left.\n`;
  }
}
