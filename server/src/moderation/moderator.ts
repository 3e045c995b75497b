// Who may moderate which room. API-key callers moderate every room, logins (AUTH_MODE=jwt)
// whose roles include one with roomAdmin (the built-in host) too; a LiveKit token with
// roomAdmin for room R, signed by one of our keys and unexpired, moderates R only, so that
// a host's page can moderate with the token it already holds, in every AUTH_MODE.
import type { RequestHandler } from 'express';
import { bearerToken, invalidCredentials } from '../auth/credentials';
import { callerLabel, type Caller } from '../caller';
import type { Config } from '../config';
import { HttpError } from '../errors';
import { decodeUnverified, type TokenSigner } from '../grants';

/** A moderator, and the rooms it may moderate. */
export type Moderator =
  { scope: 'every-room'; label: string } | { scope: 'one-room'; room: string; label: string };

/**
 * Checks a LiveKit token sent as `Authorization: Bearer` to a moderation route, before the
 * caller authentication of AUTH_MODE runs: a token whose `iss` is one of our LiveKit keys
 * is ours to check, whatever the mode (a login JWT never has our key as its issuer). A valid
 * one with roomAdmin makes the request a moderator of that room, and skips the caller
 * authentication; an invalid one is refused as a wrong credential.
 */
export function livekitModeratorToken(
  signer: TokenSigner,
  livekitKeys: ReadonlyMap<string, string>,
): RequestHandler {
  return (req, res, next) => {
    const token = bearerToken(req.get('authorization'));
    const claimedIssuer = token === undefined ? undefined : decodeUnverified(token)?.payload.iss;
    const issuer = typeof claimedIssuer === 'string' ? claimedIssuer : undefined;
    if (token === undefined || issuer === undefined || !livekitKeys.has(issuer)) {
      next();
      return;
    }
    const verified = signer.verify(token);
    if (!verified.valid) {
      throw invalidCredentials(
        `The LiveKit token sent as Authorization is not valid: ${verified.message}`,
      );
    }
    const { video, sub } = verified.claims;
    const room = video?.room;
    if (video?.roomAdmin !== true || typeof room !== 'string' || room === '') {
      throw new HttpError(
        'NOT_A_MODERATOR',
        'The LiveKit token sent as Authorization has no roomAdmin grant for a room: only a host token (roomAdmin) moderates its room.',
      );
    }
    res.locals.moderator = { scope: 'one-room', room, label: `livekit:${sub ?? ''}` };
    next();
  };
}

/** Whether a caller's roles hold one with roomAdmin. */
function holdsAdminRole(caller: Extract<Caller, { kind: 'jwt' }>, config: Config): boolean {
  return caller.roles.some((role) => config.roles.get(role)?.roomAdmin === true);
}

/** The moderator of a request, once authentication has run; undefined when it is none. */
export function moderatorOf(locals: Express.Locals, config: Config): Moderator | undefined {
  if (locals.moderator !== undefined) return locals.moderator;
  const caller = locals.caller;
  if (caller === undefined) return undefined;
  if (caller.kind === 'api-key') return { scope: 'every-room', label: callerLabel(caller) };
  if (caller.kind === 'jwt' && holdsAdminRole(caller, config)) {
    return { scope: 'every-room', label: callerLabel(caller) };
  }
  return undefined;
}

const WHO_MAY =
  'API-key callers, logins with a roomAdmin role (host), and LiveKit tokens with roomAdmin for that room may moderate';

/**
 * The moderator of a request who may moderate `room` (undefined: every room, as listing
 * all bans needs), or a 403 NOT_A_MODERATOR.
 */
export function requireModerator(
  locals: Express.Locals,
  config: Config,
  room: string | null | undefined,
): Moderator {
  const moderator = moderatorOf(locals, config);
  if (moderator === undefined) {
    throw new HttpError('NOT_A_MODERATOR', `You may not moderate: ${WHO_MAY}.`);
  }
  if (moderator.scope === 'one-room' && moderator.room !== room) {
    throw new HttpError(
      'NOT_A_MODERATOR',
      room === null || room === undefined
        ? `A LiveKit host token moderates its own room only (${moderator.room}): name that room.`
        : `A LiveKit host token moderates its own room only, not this one: ${WHO_MAY}.`,
    );
  }
  return moderator;
}
