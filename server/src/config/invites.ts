// The invites section: where invite links point (INVITE_URL_BASE), how long a guest may
// wait in a lobby (LOBBY_WAIT_SECONDS), and the budget of failed redemptions per client IP
// (INVITE_FAILURE_LIMIT_PER_MINUTE), which makes guessing codes noisy as well as hopeless.
import { parseUrl, read, sectionVariables, wholeNumberIn, type ParseContext } from './env';

export const INVITES_VARIABLES = sectionVariables('invites', [
  {
    name: 'INVITE_URL_BASE',
    description:
      "The join page invite links point to (http or https): an invite's url is it with ?code= (default: invites carry no url)",
  },
  {
    name: 'LOBBY_WAIT_SECONDS',
    description: 'How long a guest may wait in a lobby before it is expired (default 600)',
  },
  {
    name: 'INVITE_FAILURE_LIMIT_PER_MINUTE',
    description: 'Failed invite redemptions per client IP and minute (default 10, 0 for none)',
  },
]);

export const DEFAULT_LOBBY_WAIT_SECONDS = 600;
export const DEFAULT_INVITE_FAILURE_LIMIT_PER_MINUTE = 10;
const MAX_LOBBY_WAIT_SECONDS = 86_400;

/** Invites and the lobby. */
export interface InvitesConfig {
  /** The base of invites' join links; undefined: invites carry no url. */
  inviteUrlBase: string | undefined;
  /** How long a guest may wait in a lobby, in seconds. */
  lobbyWaitSeconds: number;
  /** Failed redemptions per client IP and minute; 0 turns the limit off. */
  inviteFailureLimitPerMinute: number;
}

/** Reads the invites section. */
export function parseInvites(context: ParseContext): InvitesConfig {
  const rawBase = read(context.env, 'INVITE_URL_BASE');
  return {
    inviteUrlBase:
      rawBase === undefined
        ? undefined
        : parseUrl(
            'INVITE_URL_BASE',
            rawBase,
            { protocols: ['http:', 'https:'], description: 'an http:// or https:// URL' },
            context.problems,
          ),
    lobbyWaitSeconds: wholeNumberIn(
      context,
      'LOBBY_WAIT_SECONDS',
      { min: 10, max: MAX_LOBBY_WAIT_SECONDS, fallback: DEFAULT_LOBBY_WAIT_SECONDS },
      'seconds',
    ),
    inviteFailureLimitPerMinute: wholeNumberIn(
      context,
      'INVITE_FAILURE_LIMIT_PER_MINUTE',
      {
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        fallback: DEFAULT_INVITE_FAILURE_LIMIT_PER_MINUTE,
      },
      'failures',
    ),
  };
}

/** The invites settings as printed at start-up. */
export function describeInvites(config: InvitesConfig): Record<string, string | number> {
  return {
    invite_url_base: config.inviteUrlBase ?? '(none)',
    lobby_wait_seconds: config.lobbyWaitSeconds,
    invite_failure_limit_per_minute: config.inviteFailureLimitPerMinute,
  };
}
