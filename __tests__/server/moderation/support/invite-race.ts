// The last uses of an invite, and an admitted guest's one collection, raced for at once by
// several processes (store-race.ts).
import type { Invite, InviteRedemption, LobbyEntry } from '../../../../server/src/moderation/store';
import { raceStoreCalls, type RaceTarget } from './store-race';

/** When the races happen, in epoch milliseconds. */
export const RACE_NOW_MS = 1_700_000_000_000;

/** An invite of 5 uses, for 20 guests. */
export const FIVE_USE_INVITE: Invite = {
  id: 'race-invite',
  codeHash: 'ab'.repeat(32),
  room: 'lab',
  role: 'participant',
  identity: null,
  name: null,
  maxUses: 5,
  uses: 0,
  waitingRoom: false,
  createdAtMs: RACE_NOW_MS,
  expiresAtMs: RACE_NOW_MS + 3_600_000,
  createdBy: 'api-key:key-1',
};

/** A guest waiting in FIVE_USE_INVITE's room, for a moderator to admit before the race. */
export const WAITING_GUEST: LobbyEntry = {
  id: 'race-guest',
  room: 'lab',
  inviteId: FIVE_USE_INVITE.id,
  pollTokenHash: 'cd'.repeat(32),
  identity: 'guest-1',
  name: null,
  role: 'participant',
  status: 'waiting',
  collected: false,
  createdAtMs: RACE_NOW_MS,
  expiresAtMs: RACE_NOW_MS + 600_000,
  decidedAtMs: null,
  decidedBy: null,
};

/** A call's answer, or the error it failed with. */
export interface Raced<T> {
  value?: T;
  error?: string;
}

/** 20 redemptions of FIVE_USE_INVITE's code: 5 processes of 4, at once. */
export async function raceForInviteUses(target: RaceTarget): Promise<Raced<InviteRedemption>[]> {
  const redemption = [FIVE_USE_INVITE.codeHash, RACE_NOW_MS];
  const answers = await raceStoreCalls(
    target,
    'redeemInvite',
    Array.from({ length: 5 }, () => Array.from({ length: 4 }, () => redemption)),
  );
  return answers.flat() as Raced<InviteRedemption>[];
}

/** 20 collections of WAITING_GUEST's details: 2 processes of 10, at once. */
export async function raceToCollect(target: RaceTarget): Promise<Raced<boolean>[]> {
  const answers = await raceStoreCalls(
    target,
    'collectAdmission',
    Array.from({ length: 2 }, () => Array.from({ length: 10 }, () => [WAITING_GUEST.id])),
  );
  return answers.flat() as Raced<boolean>[];
}
