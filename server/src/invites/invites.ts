// Invites as the routes use them: making one (its code shown once, kept as a hash),
// redeeming a code (one use, counted by the store atomically), and the lobby of invites
// with a waiting room, where a guest waits until a moderator admits or denies it. The
// invite is the guest's credential: its room, role and identity are the token's, whatever
// the request asks. Failed redemptions spend the guest's IP's failure budget.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { ANONYMOUS } from '../caller';
import type { Config } from '../config';
import { HttpError } from '../errors';
import type { IssuedParticipantToken, ParticipantTokenIssuer } from '../issue-token';
import type { Moderation } from '../moderation/moderation';
import type { Invite, InviteRedemption, LobbyEntry } from '../moderation/store';
import type { RoomConfigBody } from '../schemas/fields';
import type { FailureBudget } from './failure-budget';
import { generateInviteCode, hashInviteCode } from './invite-code';
import { createLobbyWaits, type LobbyWaits } from './lobby-waits';

/** An invite to make, as the route read it. */
export interface InviteRequest {
  room: string;
  role: string;
  maxUses: number;
  expiresInSeconds: number;
  identity: string | null;
  name: string | null;
  waitingRoom: boolean;
  /** The moderator's label. */
  createdBy: string;
}

/** A new invite, with its code: the only time the code is known. */
export interface CreatedInvite {
  invite: Invite;
  code: string;
  /** INVITE_URL_BASE with the code, when that is set. */
  url: string | undefined;
}

/** What a guest's request asks beyond the code; the invite decides room, role and identity. */
export interface GuestAsk {
  /** The code as sent. */
  code: string;
  /** The room the request names, if any: it must be the invite's. */
  roomName: string | undefined;
  /** The display name the guest gives, if any. */
  name: string | undefined;
  metadata: string | undefined;
  attributes: Record<string, string> | undefined;
  roomConfig: RoomConfigBody | undefined;
}

/** Where a redemption comes from. */
export interface RedemptionContext {
  /** The route asked, for the audit trail and the metrics. */
  route: string;
  requestId: string | null;
  /** The client's address, whose failure budget a wrong code spends. */
  address: string;
}

/** A redemption's result: a token now, or a place in the lobby. */
export type Redemption =
  | { kind: 'token'; issued: IssuedParticipantToken; identity: string; name: string | undefined }
  | { kind: 'lobby'; entry: LobbyEntry; pollToken: string };

/** Invites and the lobby, as the routes use them. */
export interface Invites {
  create(request: InviteRequest, requestId: string | null): Promise<CreatedInvite>;
  /** Redeems a code: one use, then a token or a lobby entry; refusals as the error catalogue says. */
  redeem(ask: GuestAsk, context: RedemptionContext): Promise<Redemption>;
  /** The lobby entry `id` for the holder of `pollToken`; 401 or 404 otherwise, both budgeted. */
  entryForPoll(id: string, pollToken: string | undefined, address: string): Promise<LobbyEntry>;
  /** The entry once it is no longer waiting, or as it is after `waitMs`. */
  waitForDecision(entry: LobbyEntry, waitMs: number, signal: AbortSignal): Promise<LobbyEntry>;
  /** The admitted guest's token, the first time it is asked for; undefined after. */
  collect(entry: LobbyEntry, requestId: string | null): Promise<IssuedParticipantToken | undefined>;
  /** Admits or denies a waiting guest of `room`; 404 LOBBY_ENTRY_NOT_FOUND otherwise. */
  decide(
    room: string,
    id: string,
    decision: 'admitted' | 'denied',
    decidedBy: string,
    requestId: string | null,
  ): Promise<LobbyEntry>;
  /** Whether a lobby entry waited past its time undecided. */
  isExpired(entry: LobbyEntry): boolean;
  /** The guests of `room` waiting now, oldest first. */
  waiting(room: string): Promise<LobbyEntry[]>;
}

/** What invites are built from. */
export interface InvitesParts {
  config: Config;
  moderation: Moderation;
  issuer: ParticipantTokenIssuer;
  failures: FailureBudget;
  countRedemption: (outcome: 'redeemed' | 'waiting' | 'not_found' | 'expired' | 'used_up') => void;
  now?: () => number;
}

/** An identity nobody can guess for a guest whose invite names none: 96 random bits. */
export function generateGuestIdentity(): string {
  return `guest-${randomBytes(12).toString('base64url')}`;
}

/** The SHA-256 of a poll token, in hex, as the store keeps it. */
function hashPollToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The join link of a code: INVITE_URL_BASE with `code` added to its query. */
export function inviteUrl(base: string, code: string): string {
  const url = new URL(base);
  url.searchParams.set('code', code);
  return url.toString();
}

/** Why a redemption counted no use, as the guest is told. */
function refusal(outcome: Exclude<InviteRedemption['outcome'], 'redeemed'>): HttpError {
  switch (outcome) {
    case 'not-found':
      return new HttpError(
        'INVITE_NOT_FOUND',
        'There is no invite with this code: check it for typos, or ask for a new one (it may have been revoked).',
      );
    case 'expired':
      return new HttpError('INVITE_EXPIRED', 'This invite has expired: ask for a new one.');
    case 'used-up':
      return new HttpError(
        'INVITE_USED_UP',
        'This invite has been used as many times as it allows: ask for a new one.',
      );
  }
}

const OUTCOME_LABEL = {
  'not-found': 'not_found',
  expired: 'expired',
  'used-up': 'used_up',
} as const;

/** Builds the invites of an app. */
export function createInvites(parts: InvitesParts): Invites {
  const { config, moderation, issuer, failures } = parts;
  const now = parts.now ?? Date.now;
  const waits: LobbyWaits = createLobbyWaits((id) =>
    moderation.withStore((store) => store.lobbyEntry(id)),
  );
  const isExpired = (entry: LobbyEntry) => entry.status === 'waiting' && now() >= entry.expiresAtMs;

  const create = async (request: InviteRequest, requestId: string | null) => {
    const code = generateInviteCode();
    const createdAtMs = now();
    const invite: Invite = {
      id: randomUUID(),
      codeHash: hashInviteCode(code),
      room: request.room,
      role: request.role,
      identity: request.identity,
      name: request.name,
      maxUses: request.maxUses,
      uses: 0,
      waitingRoom: request.waitingRoom,
      createdAtMs,
      expiresAtMs: createdAtMs + request.expiresInSeconds * 1000,
      createdBy: request.createdBy,
    };
    await moderation.withStore((store) => store.createInvite(invite));
    await moderation.record({
      event: 'invite_created',
      room: invite.room,
      identity: invite.identity,
      actor: invite.createdBy,
      requestId,
      details: {
        invite_id: invite.id,
        role: invite.role,
        max_uses: invite.maxUses,
        waiting_room: invite.waitingRoom,
        expires_at: new Date(invite.expiresAtMs).toISOString(),
      },
    });
    const url =
      config.inviteUrlBase === undefined ? undefined : inviteUrl(config.inviteUrlBase, code);
    return { invite, code, url };
  };

  const redeem = async (ask: GuestAsk, context: RedemptionContext): Promise<Redemption> => {
    failures.check(context.address);
    // A code of any shape is hashed and looked up: one path, one timing, one answer. No
    // text of the wrong shape normalizes to a real code, so none can hash to one.
    const hash = hashInviteCode(ask.code);
    const redemption = await moderation.withStore((store) => store.redeemInvite(hash, now()));
    if (redemption.outcome !== 'redeemed') {
      parts.countRedemption(OUTCOME_LABEL[redemption.outcome]);
      await failures.fail(context.address);
      throw refusal(redemption.outcome);
    }
    const { invite } = redemption;
    const giveBack = () =>
      moderation.withStore((store) => store.returnInviteUse(invite.id)).catch(() => {});
    if (ask.roomName !== undefined && ask.roomName !== invite.room) {
      await giveBack();
      throw new HttpError(
        'INVITE_NOT_FOR_ROOM',
        'This invite is for another room: leave room_name out, and the invite picks its room.',
      );
    }
    const identity = invite.identity ?? generateGuestIdentity();
    const name = ask.name ?? invite.name ?? undefined;
    if (invite.waitingRoom) {
      const pollToken = randomBytes(32).toString('base64url');
      const createdAtMs = now();
      const entry: LobbyEntry = {
        id: randomUUID(),
        room: invite.room,
        inviteId: invite.id,
        pollTokenHash: hashPollToken(pollToken),
        identity,
        name: name ?? null,
        role: invite.role,
        status: 'waiting',
        collected: false,
        createdAtMs,
        expiresAtMs: createdAtMs + config.lobbyWaitSeconds * 1000,
        decidedAtMs: null,
        decidedBy: null,
      };
      try {
        // Bans hold in the lobby too: a banned guest is refused before it waits.
        const ban = await moderation.withStore((store) =>
          store.banFor(identity, invite.room, createdAtMs),
        );
        if (ban !== undefined)
          throw new HttpError('BANNED', `${identity} is banned from this room.`);
        await moderation.withStore((store) => store.addLobbyEntry(entry));
      } catch (error) {
        await giveBack();
        throw error;
      }
      parts.countRedemption('waiting');
      await moderation.record({
        event: 'guest_waiting',
        room: entry.room,
        identity,
        actor: `invite:${invite.id}`,
        requestId: context.requestId,
        details: { lobby_id: entry.id, name: entry.name },
      });
      return { kind: 'lobby', entry, pollToken };
    }
    try {
      const issued = await issuer.issue(
        ANONYMOUS,
        {
          identity,
          name,
          roomName: invite.room,
          role: invite.role,
          metadata: ask.metadata,
          attributes: ask.attributes,
          ttlSeconds: undefined,
          roomConfig: ask.roomConfig,
        },
        { route: context.route, requestId: context.requestId, inviteId: invite.id },
      );
      parts.countRedemption('redeemed');
      return { kind: 'token', issued, identity, name };
    } catch (error) {
      // Refused after all (banned, full room): the use was not had.
      await giveBack();
      throw error;
    }
  };

  const entryForPoll = async (id: string, pollToken: string | undefined, address: string) => {
    failures.check(address);
    const entry = await moderation.withStore((store) => store.lobbyEntry(id));
    if (entry === undefined) {
      await failures.fail(address);
      throw new HttpError('LOBBY_ENTRY_NOT_FOUND', 'There is no lobby entry with this id.');
    }
    const expected = Buffer.from(entry.pollTokenHash, 'hex');
    const given = Buffer.from(hashPollToken(pollToken ?? ''), 'hex');
    if (pollToken === undefined || !timingSafeEqual(expected, given)) {
      await failures.fail(address);
      throw new HttpError(
        'INVALID_POLL_TOKEN',
        'Send the poll_token this lobby entry was given, as Authorization: Bearer <poll_token>.',
      );
    }
    return entry;
  };

  const collect = async (entry: LobbyEntry, requestId: string | null) => {
    if (entry.status !== 'admitted') return undefined;
    const first = await moderation.withStore((store) => store.collectAdmission(entry.id));
    if (!first) return undefined;
    try {
      return await issuer.issue(
        ANONYMOUS,
        {
          identity: entry.identity,
          name: entry.name ?? undefined,
          roomName: entry.room,
          role: entry.role,
          metadata: undefined,
          attributes: undefined,
          ttlSeconds: undefined,
          roomConfig: undefined,
        },
        { route: '/lobby/{id}', requestId, inviteId: entry.inviteId },
      );
    } catch (error) {
      // Refused after all (banned meanwhile, a full room): the guest may poll again.
      await moderation.withStore((store) => store.returnAdmission(entry.id)).catch(() => {});
      throw error;
    }
  };

  const decide = async (
    room: string,
    id: string,
    decision: 'admitted' | 'denied',
    decidedBy: string,
    requestId: string | null,
  ) => {
    const decided = await moderation.withStore((store) =>
      store.decideLobbyEntry(id, room, decision, decidedBy, now()),
    );
    if (decided === undefined) {
      throw new HttpError(
        'LOBBY_ENTRY_NOT_FOUND',
        'No guest waits with this id in this room: admitted or denied already, gone, or expired.',
      );
    }
    waits.wake(id);
    await moderation.record({
      event: decision === 'admitted' ? 'guest_admitted' : 'guest_denied',
      room,
      identity: decided.identity,
      actor: decidedBy,
      requestId,
      details: { lobby_id: id },
    });
    return decided;
  };

  return {
    create,
    redeem,
    entryForPoll,
    waitForDecision: (entry, waitMs, signal) =>
      entry.status !== 'waiting' || isExpired(entry)
        ? Promise.resolve(entry)
        : waits.waitFor(entry, Math.min(waitMs, Math.max(0, entry.expiresAtMs - now())), signal),
    collect,
    decide,
    isExpired,
    waiting: (room) => moderation.withStore((store) => store.listLobby(room, now())),
  };
}
