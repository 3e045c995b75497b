// The invite and lobby part of the moderation store contract (store.contract.ts runs it for
// every store): each method, each outcome, the refusals included. Races across processes
// are in invites.process.test.ts and invites.redis.process.test.ts.
import type { Invite, LobbyEntry, ModerationStore } from '../../../server/src/moderation/store';

/** Some time, in epoch milliseconds; every test counts from it. */
const T0 = 1_700_000_000_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** A code hash as invite-code.ts makes them: 64 hex digits, here from a short seed. */
function codeHash(seed: string): string {
  return Buffer.from(seed).toString('hex').padEnd(64, '0').slice(0, 64);
}

function invite(overrides: Partial<Invite> & Pick<Invite, 'id'>): Invite {
  return {
    codeHash: codeHash(overrides.id),
    room: 'lab',
    role: 'participant',
    identity: null,
    name: null,
    maxUses: 1,
    uses: 0,
    waitingRoom: false,
    createdAtMs: T0,
    expiresAtMs: T0 + DAY_MS,
    createdBy: 'api-key:key-1',
    ...overrides,
  };
}

function guest(overrides: Partial<LobbyEntry> & Pick<LobbyEntry, 'id'>): LobbyEntry {
  return {
    room: 'lab',
    inviteId: 'i1',
    pollTokenHash: codeHash(`poll-${overrides.id}`),
    identity: `guest-${overrides.id}`,
    name: null,
    role: 'participant',
    status: 'waiting',
    collected: false,
    createdAtMs: T0,
    expiresAtMs: T0 + 600_000,
    decidedAtMs: null,
    decidedBy: null,
    ...overrides,
  };
}

/** Declares the invite and lobby tests, on the store `current` answers for each test. */
export function describeInviteAndLobbyContract(current: () => ModerationStore): void {
  describe('invites', () => {
    let store: ModerationStore;

    beforeEach(() => {
      store = current();
    });

    it('stores an invite and reads it back by id, every field as given', async () => {
      const named = invite({
        id: 'i1',
        role: 'speaker',
        identity: 'ada',
        name: 'Ada',
        maxUses: 3,
        waitingRoom: true,
        createdBy: 'login:admin',
      });
      const plain = invite({ id: 'i2', name: '' });
      await store.createInvite(named);
      await store.createInvite(plain);
      expect(await store.inviteById('i1')).toEqual(named);
      expect(await store.inviteById('i2')).toEqual(plain);
      expect(await store.inviteById('missing')).toBeUndefined();
    });

    it('lists a room’s invites oldest first, expired and used-up ones too', async () => {
      await store.createInvite(invite({ id: 'c', createdAtMs: T0 + 3 }));
      await store.createInvite(invite({ id: 'a', createdAtMs: T0 + 1, expiresAtMs: T0 + 2 }));
      await store.createInvite(invite({ id: 'b', createdAtMs: T0 + 2, uses: 1 }));
      await store.createInvite(invite({ id: 'elsewhere', room: 'lab:2' }));
      expect((await store.listInvites('lab')).map((found) => found.id)).toEqual(['a', 'b', 'c']);
      expect(await store.listInvites('lab:2')).toEqual([
        invite({ id: 'elsewhere', room: 'lab:2' }),
      ]);
      expect(await store.listInvites('lab:')).toEqual([]);
      expect(await store.listInvites('nowhere')).toEqual([]);
    });

    it('lists invites made at the same time in id order', async () => {
      for (const id of ['m', 'z', 'a']) await store.createInvite(invite({ id }));
      expect((await store.listInvites('lab')).map((found) => found.id)).toEqual(['a', 'm', 'z']);
    });

    describe('redeemInvite', () => {
      it('counts one use a redemption, answering the invite with its new count', async () => {
        const made = invite({ id: 'i1', maxUses: 3, identity: 'ada', waitingRoom: true });
        await store.createInvite(made);
        expect(await store.redeemInvite(made.codeHash, T0)).toEqual({
          outcome: 'redeemed',
          invite: { ...made, uses: 1 },
        });
        expect(await store.redeemInvite(made.codeHash, T0 + 1)).toEqual({
          outcome: 'redeemed',
          invite: { ...made, uses: 2 },
        });
        expect((await store.inviteById('i1'))?.uses).toBe(2);
      });

      it('answers used-up once every use is taken, and counts nothing more', async () => {
        const made = invite({ id: 'i1', maxUses: 2 });
        await store.createInvite(made);
        await store.redeemInvite(made.codeHash, T0);
        await store.redeemInvite(made.codeHash, T0);
        expect(await store.redeemInvite(made.codeHash, T0)).toEqual({ outcome: 'used-up' });
        expect(await store.redeemInvite(made.codeHash, T0)).toEqual({ outcome: 'used-up' });
        expect((await store.inviteById('i1'))?.uses).toBe(2);
      });

      it('answers expired from its expiry on, and counts nothing', async () => {
        const made = invite({ id: 'i1', maxUses: 5, expiresAtMs: T0 + 1_000 });
        await store.createInvite(made);
        expect((await store.redeemInvite(made.codeHash, T0 + 999)).outcome).toBe('redeemed');
        expect(await store.redeemInvite(made.codeHash, T0 + 1_000)).toEqual({
          outcome: 'expired',
        });
        expect(await store.redeemInvite(made.codeHash, T0 + DAY_MS)).toEqual({
          outcome: 'expired',
        });
        expect((await store.inviteById('i1'))?.uses).toBe(1);
      });

      it('answers expired, not used-up, for an invite both expired and used up', async () => {
        const made = invite({ id: 'i1', uses: 1, expiresAtMs: T0 });
        await store.createInvite(made);
        expect(await store.redeemInvite(made.codeHash, T0)).toEqual({ outcome: 'expired' });
      });

      it('answers not-found for a code no invite has', async () => {
        await store.createInvite(invite({ id: 'i1' }));
        expect(await store.redeemInvite(codeHash('other'), T0)).toEqual({ outcome: 'not-found' });
        expect(await store.redeemInvite('', T0)).toEqual({ outcome: 'not-found' });
      });

      it('counts each invite’s uses on its own', async () => {
        const first = invite({ id: 'i1', maxUses: 1 });
        const second = invite({ id: 'i2', maxUses: 1 });
        await store.createInvite(first);
        await store.createInvite(second);
        expect((await store.redeemInvite(first.codeHash, T0)).outcome).toBe('redeemed');
        expect((await store.redeemInvite(second.codeHash, T0)).outcome).toBe('redeemed');
        expect((await store.redeemInvite(first.codeHash, T0)).outcome).toBe('used-up');
      });
    });

    describe('revokeInvite', () => {
      it('deletes an invite once, answering it, then answers undefined', async () => {
        const made = invite({ id: 'i1', maxUses: 4, name: 'Guests' });
        await store.createInvite(made);
        await store.createInvite(invite({ id: 'i2' }));
        await store.redeemInvite(made.codeHash, T0);
        expect(await store.revokeInvite('i1')).toEqual({ ...made, uses: 1 });
        expect(await store.revokeInvite('i1')).toBeUndefined();
        expect(await store.inviteById('i1')).toBeUndefined();
        expect((await store.listInvites('lab')).map((found) => found.id)).toEqual(['i2']);
      });

      it('makes its code not-found, as a code never given', async () => {
        const made = invite({ id: 'i1', maxUses: 4 });
        await store.createInvite(made);
        await store.revokeInvite('i1');
        expect(await store.redeemInvite(made.codeHash, T0)).toEqual({ outcome: 'not-found' });
      });

      it('answers undefined for an id no invite has', async () => {
        expect(await store.revokeInvite('missing')).toBeUndefined();
      });
    });

    describe('returnInviteUse', () => {
      it('gives back one use, so that the invite can be redeemed again', async () => {
        const made = invite({ id: 'i1', maxUses: 1 });
        await store.createInvite(made);
        await store.redeemInvite(made.codeHash, T0);
        await store.returnInviteUse('i1');
        expect((await store.inviteById('i1'))?.uses).toBe(0);
        expect(await store.redeemInvite(made.codeHash, T0)).toEqual({
          outcome: 'redeemed',
          invite: { ...made, uses: 1 },
        });
      });

      it('never counts below 0', async () => {
        await store.createInvite(invite({ id: 'i1', maxUses: 2 }));
        await store.returnInviteUse('i1');
        await store.returnInviteUse('i1');
        expect((await store.inviteById('i1'))?.uses).toBe(0);
      });

      it('does nothing for an unknown or revoked invite, and brings none back', async () => {
        await store.createInvite(invite({ id: 'i1', uses: 1 }));
        await store.revokeInvite('i1');
        await store.returnInviteUse('i1');
        await store.returnInviteUse('missing');
        expect(await store.inviteById('i1')).toBeUndefined();
        expect(await store.inviteById('missing')).toBeUndefined();
        expect(await store.listInvites('lab')).toEqual([]);
      });
    });
  });

  describe('lobby', () => {
    let store: ModerationStore;

    beforeEach(() => {
      store = current();
    });

    it('stores an entry and reads it back by id, every field as given', async () => {
      const named = guest({ id: 'g1', name: 'Ada', role: 'speaker', inviteId: 'i9' });
      const decided = guest({
        id: 'g2',
        status: 'admitted',
        collected: true,
        decidedAtMs: T0 + 5,
        decidedBy: 'api-key:key-1',
      });
      await store.addLobbyEntry(named);
      await store.addLobbyEntry(decided);
      expect(await store.lobbyEntry('g1')).toEqual(named);
      expect(await store.lobbyEntry('g2')).toEqual(decided);
      expect(await store.lobbyEntry('missing')).toBeUndefined();
    });

    describe('listLobby', () => {
      it('lists a room’s guests still waiting, oldest first, and no other room’s', async () => {
        await store.addLobbyEntry(guest({ id: 'c', createdAtMs: T0 + 3 }));
        await store.addLobbyEntry(guest({ id: 'a', createdAtMs: T0 + 1 }));
        await store.addLobbyEntry(guest({ id: 'b', createdAtMs: T0 + 2 }));
        await store.addLobbyEntry(guest({ id: 'elsewhere', room: 'lab:2' }));
        expect((await store.listLobby('lab', T0 + 10)).map((entry) => entry.id)).toEqual([
          'a',
          'b',
          'c',
        ]);
        expect(await store.listLobby('lab:2', T0)).toEqual([
          guest({ id: 'elsewhere', room: 'lab:2' }),
        ]);
        expect(await store.listLobby('nowhere', T0)).toEqual([]);
      });

      it('leaves out guests whose wait has expired, from their expiry on', async () => {
        await store.addLobbyEntry(guest({ id: 'short', expiresAtMs: T0 + 1_000 }));
        await store.addLobbyEntry(guest({ id: 'long', expiresAtMs: T0 + 2_000 }));
        const ids = async (nowMs: number) =>
          (await store.listLobby('lab', nowMs)).map((entry) => entry.id);
        expect(await ids(T0 + 999)).toEqual(['long', 'short']);
        expect(await ids(T0 + 1_000)).toEqual(['long']);
        expect(await ids(T0 + 2_000)).toEqual([]);
      });

      it('leaves out guests admitted or denied', async () => {
        for (const id of ['g1', 'g2', 'g3']) await store.addLobbyEntry(guest({ id }));
        await store.addLobbyEntry(guest({ id: 'g4', status: 'denied', decidedAtMs: T0 }));
        await store.decideLobbyEntry('g1', 'lab', 'admitted', 'api-key:key-1', T0 + 1);
        await store.decideLobbyEntry('g3', 'lab', 'denied', 'api-key:key-1', T0 + 1);
        expect((await store.listLobby('lab', T0 + 2)).map((entry) => entry.id)).toEqual(['g2']);
      });
    });

    describe('decideLobbyEntry', () => {
      it.each(['admitted', 'denied'] as const)(
        'records %s, when and by whom, and answers the entry so decided',
        async (decision) => {
          const waiting = guest({ id: 'g1', name: 'Ada' });
          await store.addLobbyEntry(waiting);
          const decided = {
            ...waiting,
            status: decision,
            decidedAtMs: T0 + 5,
            decidedBy: 'login:host',
          };
          expect(await store.decideLobbyEntry('g1', 'lab', decision, 'login:host', T0 + 5)).toEqual(
            decided,
          );
          expect(await store.lobbyEntry('g1')).toEqual(decided);
        },
      );

      it('decides once: a second decision answers undefined and changes nothing', async () => {
        await store.addLobbyEntry(guest({ id: 'g1' }));
        await store.decideLobbyEntry('g1', 'lab', 'admitted', 'login:first', T0 + 1);
        expect(
          await store.decideLobbyEntry('g1', 'lab', 'denied', 'login:second', T0 + 2),
        ).toBeUndefined();
        expect(
          await store.decideLobbyEntry('g1', 'lab', 'admitted', 'login:second', T0 + 2),
        ).toBeUndefined();
        expect(await store.lobbyEntry('g1')).toMatchObject({
          status: 'admitted',
          decidedAtMs: T0 + 1,
          decidedBy: 'login:first',
        });
      });

      it('answers undefined for another room’s guest, and leaves it waiting', async () => {
        await store.addLobbyEntry(guest({ id: 'g1', room: 'lab' }));
        for (const room of ['other', 'lab:', 'la']) {
          expect(
            await store.decideLobbyEntry('g1', room, 'admitted', 'login:host', T0),
          ).toBeUndefined();
        }
        expect(await store.lobbyEntry('g1')).toEqual(guest({ id: 'g1', room: 'lab' }));
        expect(await store.listLobby('lab', T0)).toHaveLength(1);
      });

      it('answers undefined for a guest whose wait expired, and leaves it as it was', async () => {
        await store.addLobbyEntry(guest({ id: 'late', expiresAtMs: T0 + 1_000 }));
        await store.addLobbyEntry(guest({ id: 'just', expiresAtMs: T0 + 1_000 }));
        expect(
          await store.decideLobbyEntry('late', 'lab', 'admitted', 'login:host', T0 + 1_000),
        ).toBeUndefined();
        expect(await store.lobbyEntry('late')).toEqual(
          guest({ id: 'late', expiresAtMs: T0 + 1_000 }),
        );
        expect(
          (await store.decideLobbyEntry('just', 'lab', 'admitted', 'login:host', T0 + 999))?.status,
        ).toBe('admitted');
      });

      it('answers undefined for an unknown id, and makes no entry of it', async () => {
        expect(
          await store.decideLobbyEntry('missing', 'lab', 'denied', 'login:host', T0),
        ).toBeUndefined();
        expect(await store.lobbyEntry('missing')).toBeUndefined();
      });
    });

    describe('collectAdmission', () => {
      it('answers true once for an admitted guest, then false', async () => {
        await store.addLobbyEntry(guest({ id: 'g1' }));
        await store.decideLobbyEntry('g1', 'lab', 'admitted', 'login:host', T0 + 1);
        expect(await store.collectAdmission('g1')).toBe(true);
        expect(await store.collectAdmission('g1')).toBe(false);
        expect((await store.lobbyEntry('g1'))?.collected).toBe(true);
      });

      it('answers false for a guest waiting, denied or unknown, and marks nothing', async () => {
        await store.addLobbyEntry(guest({ id: 'waiting' }));
        await store.addLobbyEntry(guest({ id: 'denied' }));
        await store.decideLobbyEntry('denied', 'lab', 'denied', 'login:host', T0 + 1);
        expect(await store.collectAdmission('waiting')).toBe(false);
        expect(await store.collectAdmission('denied')).toBe(false);
        expect(await store.collectAdmission('missing')).toBe(false);
        expect((await store.lobbyEntry('waiting'))?.collected).toBe(false);
        expect((await store.lobbyEntry('denied'))?.collected).toBe(false);
        expect(await store.lobbyEntry('missing')).toBeUndefined();
        // Admitted later, the guest still collects once.
        await store.decideLobbyEntry('waiting', 'lab', 'admitted', 'login:host', T0 + 2);
        expect(await store.collectAdmission('waiting')).toBe(true);
      });
    });

    describe('returnAdmission', () => {
      it('undoes a collection, so that the next collect answers true again, once', async () => {
        await store.addLobbyEntry(guest({ id: 'g1' }));
        await store.decideLobbyEntry('g1', 'lab', 'admitted', 'login:host', T0 + 1);
        await store.collectAdmission('g1');
        await store.returnAdmission('g1');
        expect((await store.lobbyEntry('g1'))?.collected).toBe(false);
        expect(await store.collectAdmission('g1')).toBe(true);
        expect(await store.collectAdmission('g1')).toBe(false);
      });

      it('does nothing to a guest not collected, not admitted, or unknown', async () => {
        await store.addLobbyEntry(guest({ id: 'admitted' }));
        await store.addLobbyEntry(guest({ id: 'waiting' }));
        await store.decideLobbyEntry('admitted', 'lab', 'admitted', 'login:host', T0 + 1);
        await store.returnAdmission('admitted');
        await store.returnAdmission('waiting');
        await store.returnAdmission('missing');
        expect(await store.collectAdmission('admitted')).toBe(true);
        expect(await store.lobbyEntry('waiting')).toEqual(guest({ id: 'waiting' }));
        expect(await store.lobbyEntry('missing')).toBeUndefined();
      });
    });
  });

  describe('prune of invites and the lobby', () => {
    let store: ModerationStore;

    beforeEach(() => {
      store = current();
    });

    it('forgets invites expired over a day, and keeps the others', async () => {
      const old = invite({ id: 'old', expiresAtMs: T0 });
      const day = invite({ id: 'day', expiresAtMs: T0 + 1 });
      const recent = invite({ id: 'recent', expiresAtMs: T0 + DAY_MS, uses: 1 });
      const valid = invite({ id: 'valid', expiresAtMs: T0 + 2 * DAY_MS });
      for (const made of [old, day, recent, valid]) await store.createInvite(made);
      await store.prune(T0, T0 + DAY_MS + 1);
      expect(await store.inviteById('old')).toBeUndefined();
      expect(await store.redeemInvite(old.codeHash, T0 + DAY_MS + 1)).toEqual({
        outcome: 'not-found',
      });
      // Expired exactly a day ago: kept, and still answered expired.
      expect(await store.inviteById('day')).toEqual(day);
      expect(await store.redeemInvite(recent.codeHash, T0 + DAY_MS + 1)).toEqual({
        outcome: 'expired',
      });
      expect((await store.listInvites('lab')).map((found) => found.id)).toEqual([
        'day',
        'recent',
        'valid',
      ]);
      expect((await store.redeemInvite(valid.codeHash, T0 + DAY_MS + 1)).outcome).toBe('redeemed');
    });

    it('forgets lobby entries expired over a day, decided or not, and keeps the others', async () => {
      await store.addLobbyEntry(guest({ id: 'old-waiting', expiresAtMs: T0 }));
      await store.addLobbyEntry(guest({ id: 'old-admitted', expiresAtMs: T0 }));
      await store.decideLobbyEntry('old-admitted', 'lab', 'admitted', 'login:host', T0 - 1);
      await store.addLobbyEntry(guest({ id: 'day', expiresAtMs: T0 + 1 }));
      await store.addLobbyEntry(guest({ id: 'waiting', expiresAtMs: T0 + DAY_MS + HOUR_MS }));
      const nowMs = T0 + DAY_MS + 1;
      await store.prune(T0, nowMs);
      expect(await store.lobbyEntry('old-waiting')).toBeUndefined();
      expect(await store.lobbyEntry('old-admitted')).toBeUndefined();
      expect(await store.collectAdmission('old-admitted')).toBe(false);
      expect((await store.lobbyEntry('day'))?.id).toBe('day');
      expect((await store.listLobby('lab', nowMs)).map((entry) => entry.id)).toEqual(['waiting']);
    });
  });
}
