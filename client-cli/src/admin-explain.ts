// What token-admin adds to the shared explanations (explain.ts): one line on what the
// moderation API's refusals mean and what to do. The rest (401, 429, redirects, an
// unreachable server) is explained as for request-token, naming token-admin.
import type { TokenServerError } from './client-errors';
import type { ExplainWording } from './explain';

/** The line for a refusal of the moderation API, or undefined to leave it to explain.ts. */
export function explainModerationRefusal(error: TokenServerError): string | undefined {
  switch (error.code) {
    case 'NOT_A_MODERATOR':
      return 'only moderators may do this: callers with an API key (--api-key), logins whose role has roomAdmin, and LiveKit tokens with roomAdmin for this room (--bearer); use one of those credentials';
    case 'BANNED':
      return 'the identity is banned from this room: token-admin bans list --identity <identity> shows the ban, and bans remove <id> lifts it';
    case 'BAN_NOT_FOUND':
      return 'no ban has this id: it may have been lifted already or mistyped; token-admin bans list shows the bans in force and their ids';
    case 'ROOM_FULL':
      return 'the room has no free seat: raise its cap with token-admin rooms limit <room> <N|none>, or wait for a participant to leave';
    case 'IDENTITY_IN_USE':
      return 'a participant with this identity is already in the room: wait for it to leave, or use another identity';
    case 'MODERATION_UNAVAILABLE':
      return 'the token server cannot reach its moderation store (the SQLite file in DATA_DIR, or Redis): nothing was changed; retry later, or ask its operator to check the store';
    case 'INVITE_NOT_FOUND':
      return 'no invite has this id: it may have been revoked already or mistyped; token-admin invites list <room> shows the invites and their ids';
    case 'LOBBY_ENTRY_NOT_FOUND':
      return "no one with this id is waiting in this room's waiting room: the guest may have been admitted or denied already, stopped waiting, or wait in another room; token-admin lobby list <room> shows who is waiting";
    case 'ROLE_NOT_ALLOWED':
      // Elsewhere, explain.ts's line about taking a role says it.
      return error.path === '/invites'
        ? 'a moderator may invite only to roles it may grant: roles with roomAdmin, such as host, need an API-key caller (--api-key) or a login that holds that role; choose another --role'
        : undefined;
    case 'INVALID_WEBHOOK':
      return "that is the token server's answer to a LiveKit webhook it could not check, not to token-admin: check --server (or TOKEN_SERVER_URL)";
    case 'NOT_FOUND':
      // A base URL with a path gets explain.ts's line about it instead.
      if (error.serverUrl !== undefined && new URL(error.serverUrl).pathname !== '/') {
        return undefined;
      }
      return isInviteRoute(error.path)
        ? 'this token server has no invites or waiting room (it predates them, or that is not the token server): upgrade it, or check --server (or TOKEN_SERVER_URL)'
        : 'this token server has no moderation API (it predates it, or that is not the token server): upgrade it, or check --server (or TOKEN_SERVER_URL)';
    default:
      return undefined;
  }
}

/** Whether `path` is one of the invite or waiting room routes, which came after the others. */
function isInviteRoute(path: string): boolean {
  return (
    path === '/invites' || path.startsWith('/invites/') || /^\/rooms\/[^/]+\/lobby(\/|$)/.test(path)
  );
}

/** How the shared explanations speak for token-admin. */
export const TOKEN_ADMIN_WORDING: ExplainWording = {
  command: 'token-admin',
  explainRefusal: explainModerationRefusal,
};
