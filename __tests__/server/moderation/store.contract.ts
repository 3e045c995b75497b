// The one contract every moderation store passes (server/src/moderation/store.ts), run
// against the real thing by each store's test file: a SQLite file, a redis-server. Times
// are given as `nowMs` and `atMs`, so that no test waits on a clock.
import {
  ModerationStoreUnavailableError,
  type AdmitRequest,
  type AuditEntry,
  type Ban,
  type BanQuery,
  type Invite,
  type LobbyEntry,
  type ModerationStore,
  type SeatRequest,
} from '../../../server/src/moderation/store';
import { describeInviteAndLobbyContract } from './store-invites.contract';

/** Some time, in epoch milliseconds; every test counts from it. */
const T0 = 1_700_000_000_000;
const DAY_MS = 24 * 60 * 60 * 1000;

function ban(overrides: Partial<Ban> & Pick<Ban, 'id'>): Ban {
  return {
    identity: 'mallory',
    room: 'lobby',
    reason: null,
    createdAtMs: T0,
    expiresAtMs: null,
    createdBy: 'api-key:ops',
    ...overrides,
  };
}

function seat(overrides: Partial<SeatRequest> & Pick<SeatRequest, 'identity'>): SeatRequest {
  return {
    room: 'stage',
    maxParticipants: 3,
    holdMs: 60_000,
    duplicateIdentity: 'replace',
    nowMs: T0,
    ...overrides,
  };
}

function admission(
  overrides: Partial<AdmitRequest> & Pick<AdmitRequest, 'identity'>,
): AdmitRequest {
  return {
    room: 'stage',
    defaultMaxParticipants: undefined,
    takesSeat: true,
    holdMs: 60_000,
    duplicateIdentity: 'replace',
    nowMs: T0,
    ...overrides,
  };
}

/** An invite and a lobby entry for the calls made on a closed store. */
const closedInvite: Invite = {
  id: 'i1',
  codeHash: 'ab'.repeat(32),
  room: 'lobby',
  role: 'participant',
  identity: null,
  name: null,
  maxUses: 1,
  uses: 0,
  waitingRoom: false,
  createdAtMs: T0,
  expiresAtMs: T0 + DAY_MS,
  createdBy: 'api-key:ops',
};
const closedLobbyEntry: LobbyEntry = {
  id: 'g1',
  room: 'lobby',
  inviteId: 'i1',
  pollTokenHash: 'cd'.repeat(32),
  identity: 'guest-1',
  name: null,
  role: 'participant',
  status: 'waiting',
  collected: false,
  createdAtMs: T0,
  expiresAtMs: T0 + 600_000,
  decidedAtMs: null,
  decidedBy: null,
};

function audit(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    atMs: T0,
    event: 'token_issued',
    room: 'lobby',
    identity: 'ada',
    actor: 'api-key:backend',
    requestId: null,
    details: {},
    ...overrides,
  };
}

/**
 * Declares the contract's tests for one store. `makeStore` answers a store with nothing in
 * it, for each test; each test closes it after.
 */
export function describeModerationStoreContract(
  name: string,
  makeStore: () => Promise<ModerationStore>,
): void {
  describe(`${name}: the moderation store contract`, () => {
    let store: ModerationStore;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
    });

    /** The ids of one page of bans in force at `nowMs`, large enough for any test's bans. */
    const listedIds = async (query: Partial<BanQuery> = {}, nowMs = T0) =>
      (await store.listBans({ limit: 10_000, ...query }, nowMs)).bans.map((found) => found.id);

    /** Every page of `query`, `limit` at a time, following `next`: the ids of each page. */
    const pagesOf = async (query: BanQuery, nowMs = T0): Promise<string[][]> => {
      const pages: string[][] = [];
      let after = query.after;
      for (;;) {
        const page = await store.listBans({ ...query, ...(after ? { after } : {}) }, nowMs);
        pages.push(page.bans.map((found) => found.id));
        if (page.next === undefined) return pages;
        // `next` is the page's last ban: where the next page starts.
        expect(page.next).toEqual({
          createdAtMs: page.bans.at(-1)?.createdAtMs,
          id: page.bans.at(-1)?.id,
        });
        after = page.next;
      }
    };

    describe('bans', () => {
      it('stores a ban and reads it back by id, every field as given', async () => {
        const everywhere = ban({
          id: 'b1',
          room: null,
          reason: 'spam',
          expiresAtMs: T0 + 5_000,
          createdBy: 'login:admin',
        });
        await store.addBan(everywhere);
        expect(await store.banById('b1')).toEqual(everywhere);
        expect(await store.banById('missing')).toBeUndefined();
      });

      it('keeps an identity out of its room only, or out of every room', async () => {
        await store.addBan(ban({ id: 'room-ban', identity: 'mallory', room: 'lobby' }));
        await store.addBan(ban({ id: 'global-ban', identity: 'eve', room: null }));
        expect((await store.banFor('mallory', 'lobby', T0))?.id).toBe('room-ban');
        expect(await store.banFor('mallory', 'other', T0)).toBeUndefined();
        expect((await store.banFor('eve', 'lobby', T0))?.id).toBe('global-ban');
        expect((await store.banFor('eve', 'any-room', T0))?.id).toBe('global-ban');
        expect(await store.banFor('ada', 'lobby', T0)).toBeUndefined();
      });

      it('stops applying a ban at its expiry, and still finds it by id', async () => {
        await store.addBan(ban({ id: 'b1', expiresAtMs: T0 + 1_000 }));
        expect((await store.banFor('mallory', 'lobby', T0 + 999))?.id).toBe('b1');
        expect(await listedIds({}, T0 + 999)).toEqual(['b1']);
        expect(await store.banFor('mallory', 'lobby', T0 + 1_000)).toBeUndefined();
        expect(await store.listBans({ limit: 10 }, T0 + 1_000)).toEqual({ bans: [] });
        expect((await store.banById('b1'))?.id).toBe('b1');
      });

      it('lists the bans in force, oldest first, by room and by identity', async () => {
        await store.addBan(
          ban({ id: 'c', identity: 'mallory', room: 'lobby', createdAtMs: T0 + 3 }),
        );
        await store.addBan(ban({ id: 'a', identity: 'eve', room: null, createdAtMs: T0 + 1 }));
        await store.addBan(
          ban({ id: 'b', identity: 'mallory', room: 'stage', createdAtMs: T0 + 2 }),
        );
        await store.addBan(
          ban({ id: 'gone', identity: 'mallory', expiresAtMs: T0 + 10, createdAtMs: T0 }),
        );
        const ids = async (filter: Partial<BanQuery>) => listedIds(filter, T0 + 10);
        expect(await ids({})).toEqual(['a', 'b', 'c']);
        // A room's own bans: not those of every room.
        expect(await ids({ room: 'lobby' })).toEqual(['c']);
        expect(await ids({ identity: 'mallory' })).toEqual(['b', 'c']);
        expect(await ids({ identity: 'mallory', room: 'stage' })).toEqual(['b']);
        expect(await ids({ identity: 'nobody' })).toEqual([]);
      });

      it('pages the bans in force in order, each once, by room and identity too', async () => {
        // Two created in the same millisecond (ordered by id), one expired, two rooms.
        const made = [
          ban({ id: 'k', identity: 'eve', room: 'stage', createdAtMs: T0 + 4 }),
          ban({ id: 'e', identity: 'mallory', room: null, createdAtMs: T0 + 1 }),
          ban({ id: 'j', identity: 'mallory', room: 'lobby', createdAtMs: T0 + 2 }),
          ban({ id: 'd', identity: 'eve', room: 'lobby', createdAtMs: T0 + 2 }),
          ban({ id: 'x', identity: 'eve', room: 'lobby', createdAtMs: T0, expiresAtMs: T0 + 5 }),
          ban({ id: 'a', identity: 'mallory', room: 'stage', createdAtMs: T0 + 9 }),
          ban({ id: 'm', identity: 'ada', room: 'lobby', createdAtMs: T0 + 3 }),
        ];
        for (const each of made) await store.addBan(each);
        const at = T0 + 5;
        expect(await pagesOf({ limit: 2 }, at)).toEqual([
          ['e', 'd'],
          ['j', 'm'],
          ['k', 'a'],
        ]);
        expect(await pagesOf({ limit: 3 }, at)).toEqual([
          ['e', 'd', 'j'],
          ['m', 'k', 'a'],
        ]);
        expect(await pagesOf({ limit: 6 }, at)).toEqual([['e', 'd', 'j', 'm', 'k', 'a']]);
        expect(await pagesOf({ limit: 1, room: 'lobby' }, at)).toEqual([['d'], ['j'], ['m']]);
        expect(await pagesOf({ limit: 2, identity: 'mallory' }, at)).toEqual([['e', 'j'], ['a']]);
        expect(await pagesOf({ limit: 1, identity: 'eve', room: 'lobby' }, at)).toEqual([['d']]);
        // After the last ban: an empty last page.
        expect(
          await store.listBans({ limit: 5, after: { createdAtMs: T0 + 9, id: 'a' } }, at),
        ).toEqual({ bans: [] });
      });

      it('goes on after a cursor whose ban was lifted meanwhile, skipping none', async () => {
        for (const [id, offset] of [
          ['b1', 1],
          ['b2', 2],
          ['b3', 3],
          ['b4', 3],
        ] as const) {
          await store.addBan(ban({ id, identity: `eve-${id}`, createdAtMs: T0 + offset }));
        }
        for (const [id, offset] of [
          ['c1', 5],
          ['c2', 6],
          ['c3', 7],
        ] as const) {
          await store.addBan(ban({ id, identity: 'ada', createdAtMs: T0 + offset }));
        }
        const first = await store.listBans({ limit: 2 }, T0);
        expect(first.bans.map((found) => found.id)).toEqual(['b1', 'b2']);
        await store.removeBan('b2');
        const after = first.next as NonNullable<typeof first.next>;
        expect(await pagesOf({ limit: 2, after })).toEqual([['b3', 'b4'], ['c1', 'c2'], ['c3']]);
        // The same by identity, which both stores read another way.
        const ada = await store.listBans({ identity: 'ada', limit: 1 }, T0);
        expect(ada.bans.map((found) => found.id)).toEqual(['c1']);
        await store.removeBan('c1');
        const adaAfter = ada.next as NonNullable<typeof ada.next>;
        expect(await pagesOf({ identity: 'ada', limit: 1, after: adaAfter })).toEqual([
          ['c2'],
          ['c3'],
        ]);
      });

      it('pages through more bans of one millisecond than a store reads at once', async () => {
        // 1,100 bans created together (a bulk import): more than Redis's 500 ids a read.
        const ids = Array.from(
          { length: 1_100 },
          (_, index) => `ban-${String(index).padStart(4, '0')}`,
        );
        for (const id of [...ids].reverse()) {
          await store.addBan(ban({ id, identity: `eve-${id}`, createdAtMs: T0 }));
        }
        const pages = await pagesOf({ limit: 300 });
        expect(pages.map((page) => page.length)).toEqual([300, 300, 300, 200]);
        expect(pages.flat()).toEqual(ids);
      });

      it('lifts a ban once, answering it, then answers undefined', async () => {
        const lifted = ban({ id: 'b1', room: null, reason: 'spam' });
        await store.addBan(lifted);
        await store.addBan(ban({ id: 'b2', identity: 'eve' }));
        expect(await store.removeBan('b1')).toEqual(lifted);
        expect(await store.removeBan('b1')).toBeUndefined();
        expect(await store.banById('b1')).toBeUndefined();
        expect(await store.banFor('mallory', 'lobby', T0)).toBeUndefined();
        expect(await listedIds()).toEqual(['b2']);
      });

      it('keeps rooms named like the store’s own bookkeeping apart from it', async () => {
        for (const room of ['rooms', 'seq', 'held-rooms', 'audit-seq', 'meta:audit-rooms']) {
          expect(await store.claimSeat(seat({ identity: 'a', room }))).toEqual({
            outcome: 'granted',
            seats: 1,
          });
          await store.appendAudit(audit({ room, atMs: T0 }));
          await store.appendAudit(audit({ room, atMs: T0 + 1 }));
          const page = await store.listAudit({ room, limit: 10 });
          expect(page.entries.map((entry) => entry.atMs)).toEqual([T0, T0 + 1]);
          expect((await store.occupancy(room, T0)).held).toEqual(['a']);
        }
        expect(await store.prune(T0 - 1, T0 + 1)).toBe(0);
      });

      it('tells apart rooms and identities that share a prefix or hold separators', async () => {
        await store.addBan(ban({ id: 'b1', identity: 'a:b', room: 'x:y' }));
        expect(await store.banFor('a', 'x:y', T0)).toBeUndefined();
        expect(await store.banFor('a:b', 'x', T0)).toBeUndefined();
        expect((await store.banFor('a:b', 'x:y', T0))?.id).toBe('b1');
        expect(await listedIds({ room: 'x' })).toEqual([]);
      });
    });

    describe('room limits', () => {
      it('sets, changes and clears a room’s cap, room by room', async () => {
        expect(await store.roomLimit('lobby')).toBeUndefined();
        await store.setRoomLimit('lobby', 5);
        await store.setRoomLimit('stage', 2);
        expect(await store.roomLimit('lobby')).toBe(5);
        await store.setRoomLimit('lobby', 7);
        expect(await store.roomLimit('lobby')).toBe(7);
        await store.setRoomLimit('lobby', null);
        expect(await store.roomLimit('lobby')).toBeUndefined();
        expect(await store.roomLimit('stage')).toBe(2);
      });
    });

    describe('seats', () => {
      it('grants seats up to the cap, then answers full with the seats taken', async () => {
        const cap = { maxParticipants: 2 };
        expect(await store.claimSeat(seat({ identity: 'a', ...cap }))).toEqual({
          outcome: 'granted',
          seats: 1,
        });
        expect(await store.claimSeat(seat({ identity: 'b', ...cap }))).toEqual({
          outcome: 'granted',
          seats: 2,
        });
        expect(await store.claimSeat(seat({ identity: 'c', ...cap }))).toEqual({
          outcome: 'full',
          seats: 2,
        });
      });

      it('gives an identity holding a seat no second one, even in a full room', async () => {
        const cap = { maxParticipants: 1 };
        await store.claimSeat(seat({ identity: 'a', ...cap }));
        expect(await store.claimSeat(seat({ identity: 'a', ...cap, nowMs: T0 + 1 }))).toEqual({
          outcome: 'granted',
          seats: 1,
        });
        expect(await store.occupancy('stage', T0 + 1)).toMatchObject({ held: ['a'] });
      });

      it('renews the hold of an identity that claims again', async () => {
        const claim = (identity: string, nowMs: number) =>
          store.claimSeat(seat({ identity, maxParticipants: 1, holdMs: 1_000, nowMs }));
        await claim('a', T0);
        expect((await claim('a', T0 + 900)).outcome).toBe('granted');
        // Held until T0 + 1900 now, not T0 + 1000.
        expect((await claim('b', T0 + 1_500)).outcome).toBe('full');
        expect((await claim('b', T0 + 1_900)).outcome).toBe('granted');
      });

      it('lets a hold expire at its end, freeing the seat', async () => {
        await store.claimSeat(seat({ identity: 'a', maxParticipants: 1, holdMs: 1_000 }));
        expect((await store.occupancy('stage', T0 + 999)).held).toEqual(['a']);
        expect((await store.occupancy('stage', T0 + 1_000)).held).toEqual([]);
        expect(
          await store.claimSeat(seat({ identity: 'b', maxParticipants: 1, nowMs: T0 + 1_000 })),
        ).toEqual({ outcome: 'granted', seats: 1 });
      });

      it('counts the participants present, and frees their seats when they leave', async () => {
        await store.participantJoined('stage', 'x', T0);
        await store.participantJoined('stage', 'y', T0);
        const claim = () => store.claimSeat(seat({ identity: 'a', maxParticipants: 2 }));
        expect(await claim()).toEqual({ outcome: 'full', seats: 2 });
        await store.participantLeft('stage', 'x', T0 + 1);
        expect(await claim()).toEqual({ outcome: 'granted', seats: 2 });
      });

      it('turns a hold into presence when its identity joins: still one seat', async () => {
        await store.claimSeat(seat({ identity: 'a' }));
        await store.participantJoined('stage', 'a', T0 + 1);
        expect(await store.occupancy('stage', T0 + 2)).toEqual({
          participants: ['a'],
          held: [],
          lastHeardMs: T0 + 1,
        });
        expect(await store.claimSeat(seat({ identity: 'b', nowMs: T0 + 2 }))).toEqual({
          outcome: 'granted',
          seats: 2,
        });
      });

      it('with refuse, answers identity-in-use to an identity present, whatever the cap', async () => {
        await store.participantJoined('stage', 'a', T0);
        for (const maxParticipants of [1, 5, undefined]) {
          expect(
            await store.claimSeat(
              seat({ identity: 'a', maxParticipants, duplicateIdentity: 'refuse' }),
            ),
          ).toEqual({ outcome: 'identity-in-use' });
        }
        // replace: the present identity gets its seat back, not a second one.
        expect(await store.claimSeat(seat({ identity: 'a', maxParticipants: 1 }))).toEqual({
          outcome: 'granted',
          seats: 1,
        });
      });

      it('with refuse, renews the hold of an identity that is not present yet', async () => {
        const refuse = { duplicateIdentity: 'refuse' as const, maxParticipants: 1 };
        await store.claimSeat(seat({ identity: 'a', ...refuse }));
        expect(await store.claimSeat(seat({ identity: 'a', ...refuse, nowMs: T0 + 1 }))).toEqual({
          outcome: 'granted',
          seats: 1,
        });
      });

      it('holds seats without a cap, to count the room', async () => {
        for (const [index, identity] of ['c', 'a', 'b'].entries()) {
          expect(await store.claimSeat(seat({ identity, maxParticipants: undefined }))).toEqual({
            outcome: 'granted',
            seats: index + 1,
          });
        }
        expect(await store.occupancy('stage', T0)).toEqual({
          participants: [],
          held: ['a', 'b', 'c'],
          lastHeardMs: null,
        });
      });

      it('counts each room on its own', async () => {
        await store.claimSeat(seat({ identity: 'a', room: 'x', maxParticipants: 1 }));
        expect(
          await store.claimSeat(seat({ identity: 'b', room: 'x:y', maxParticipants: 1 })),
        ).toEqual({ outcome: 'granted', seats: 1 });
        expect(
          (await store.claimSeat(seat({ identity: 'b', room: 'x', maxParticipants: 1 }))).outcome,
        ).toBe('full');
      });
    });

    describe('admission', () => {
      it('answers the oldest ban in force for the room or every room, and takes no seat', async () => {
        await store.setRoomLimit('stage', 5);
        await store.addBan(ban({ id: 'later', identity: 'eve', room: null, createdAtMs: T0 + 5 }));
        await store.addBan(ban({ id: 'first', identity: 'eve', room: 'stage', createdAtMs: T0 }));
        await store.addBan(ban({ id: 'elsewhere', identity: 'ada', room: 'other' }));
        await store.addBan(
          ban({ id: 'over', identity: 'ada', room: 'stage', expiresAtMs: T0 - 1 }),
        );
        expect(await store.admit(admission({ identity: 'eve' }))).toEqual({
          ban: ban({ id: 'first', identity: 'eve', room: 'stage', createdAtMs: T0 }),
        });
        expect((await store.admit(admission({ identity: 'eve', room: 'x' }))).ban?.id).toBe(
          'later',
        );
        expect(await store.occupancy('stage', T0)).toMatchObject({ held: [] });
        expect(await store.admit(admission({ identity: 'ada' }))).toEqual({
          maxParticipants: 5,
          claim: { outcome: 'granted', seats: 1 },
        });
      });

      it('claims seats under the room’s own cap, else the default, until full', async () => {
        const capped = { room: 'capped', defaultMaxParticipants: 9 };
        await store.setRoomLimit('capped', 1);
        expect(await store.admit(admission({ identity: 'a', ...capped }))).toEqual({
          maxParticipants: 1,
          claim: { outcome: 'granted', seats: 1 },
        });
        expect(await store.admit(admission({ identity: 'b', ...capped }))).toEqual({
          maxParticipants: 1,
          claim: { outcome: 'full', seats: 1 },
        });
        expect(
          await store.admit(admission({ identity: 'b', room: 'open', defaultMaxParticipants: 2 })),
        ).toEqual({ maxParticipants: 2, claim: { outcome: 'granted', seats: 1 } });
      });

      it('needs no seat without a cap, nor for a role that takes none', async () => {
        expect(await store.admit(admission({ identity: 'a' }))).toEqual({
          maxParticipants: undefined,
          claim: undefined,
        });
        await store.setRoomLimit('stage', 1);
        await store.claimSeat(seat({ identity: 'someone', maxParticipants: 1 }));
        expect(await store.admit(admission({ identity: 'agent', takesSeat: false }))).toEqual({
          maxParticipants: 1,
          claim: undefined,
        });
        expect((await store.occupancy('stage', T0)).held).toEqual(['someone']);
      });

      it('grants the last seats once each to admissions asked for in one turn, in order', async () => {
        await store.setRoomLimit('stage', 4);
        await store.claimSeat(seat({ identity: 'early', maxParticipants: 4 }));
        const identities = Array.from({ length: 20 }, (_, index) => `guest-${index}`);
        // The repeat of guest-0 within the turn renews its hold: still no second seat.
        const answers = await Promise.all(
          [...identities, 'guest-0'].map((identity) => store.admit(admission({ identity }))),
        );
        expect(answers.map((answer) => (answer.ban === undefined ? answer.claim : answer))).toEqual(
          [
            { outcome: 'granted', seats: 2 },
            { outcome: 'granted', seats: 3 },
            { outcome: 'granted', seats: 4 },
            ...identities.slice(3).map(() => ({ outcome: 'full', seats: 4 })),
            { outcome: 'granted', seats: 4 },
          ],
        );
        expect((await store.occupancy('stage', T0)).held).toEqual([
          'early',
          'guest-0',
          'guest-1',
          'guest-2',
        ]);
      });

      it('appends the entry of a token admitted, in the same step, and none of one refused', async () => {
        const issued = (identity: string) =>
          audit({ room: 'stage', identity, details: { role: 'participant' } });
        await store.setRoomLimit('stage', 1);
        await store.addBan(ban({ id: 'eve-ban', identity: 'eve', room: 'stage' }));
        const refuse = { duplicateIdentity: 'refuse' as const };
        // No seat needed (a role that takes none), a seat granted, a renewal: all recorded.
        await store.admit(
          admission({ identity: 'agent', takesSeat: false, entry: issued('agent') }),
        );
        await store.admit(admission({ identity: 'ada', entry: issued('ada') }));
        await store.admit(admission({ identity: 'ada', nowMs: T0 + 1, entry: issued('ada') }));
        // Banned, full, and an identity present under refuse: nothing recorded.
        await store.admit(admission({ identity: 'eve', entry: issued('eve') }));
        await store.admit(admission({ identity: 'bob', entry: issued('bob') }));
        await store.participantJoined('stage', 'ada', T0 + 2);
        await store.admit(
          admission({ identity: 'ada', nowMs: T0 + 3, ...refuse, entry: issued('ada') }),
        );
        // An admission without an entry records nothing.
        await store.setRoomLimit('stage', null);
        await store.admit(admission({ identity: 'cyd' }));
        const page = await store.listAudit({ room: 'stage', limit: 10 });
        expect(page.entries.map(({ identity }) => identity)).toEqual(['agent', 'ada', 'ada']);
        expect(page.entries[0]).toMatchObject({ ...issued('agent'), id: expect.any(String) });
      });

      it('records a turn’s admitted tokens, across rooms, once each and in order', async () => {
        await store.setRoomLimit('stage', 1);
        await store.addBan(ban({ id: 'eve-ban', identity: 'eve', room: null }));
        const asked = [
          { identity: 'ada', room: 'stage' },
          { identity: 'bob', room: 'stage' }, // full: no entry
          { identity: 'cyd', room: 'lobby' },
          { identity: 'eve', room: 'lobby' }, // banned: no entry
          { identity: 'ada', room: 'stage' }, // her renewal: recorded
          { identity: 'dan', room: 'lobby' },
        ];
        const answers = await Promise.all(
          asked.map(({ identity, room }) =>
            store.admit(
              admission({
                identity,
                room,
                entry: audit({ room, identity, details: { role: 'participant' } }),
              }),
            ),
          ),
        );
        const outcomes = answers.map((answer) =>
          answer.ban === undefined ? (answer.claim?.outcome ?? 'none') : answer.ban.id,
        );
        expect(outcomes).toEqual(['granted', 'full', 'none', 'eve-ban', 'granted', 'none']);
        const stage = (await store.listAudit({ room: 'stage', limit: 10 })).entries;
        const lobby = (await store.listAudit({ room: 'lobby', limit: 10 })).entries;
        expect(stage.map((entry) => entry.identity)).toEqual(['ada', 'ada']);
        expect(lobby.map((entry) => entry.identity)).toEqual(['cyd', 'dan']);
        // Each entry has an id of its own (within a room, in the order admitted, as listed).
        expect(new Set([...stage, ...lobby].map((entry) => entry.id)).size).toBe(4);
        // Both rooms are known to the prune, which forgets every one of them.
        expect(await store.prune(T0 + 1, T0 + 1)).toBe(4);
      });

      it('with refuse, holds a seat without a cap and refuses an identity present', async () => {
        const refuse = { duplicateIdentity: 'refuse' as const };
        expect(await store.admit(admission({ identity: 'a', ...refuse }))).toEqual({
          maxParticipants: undefined,
          claim: { outcome: 'granted', seats: 1 },
        });
        await store.participantJoined('stage', 'a', T0 + 1);
        expect(await store.admit(admission({ identity: 'a', ...refuse, nowMs: T0 + 2 }))).toEqual({
          maxParticipants: undefined,
          claim: { outcome: 'identity-in-use' },
        });
      });
    });

    describe('presence', () => {
      it('knows nothing of a room never heard of', async () => {
        expect(await store.occupancy('lobby', T0)).toEqual({
          participants: [],
          held: [],
          lastHeardMs: null,
        });
      });

      it('lists the participants present, sorted, and when it last heard', async () => {
        await store.participantJoined('lobby', 'zoe', T0);
        await store.participantJoined('lobby', 'ada', T0 + 5);
        await store.participantJoined('other', 'bob', T0 + 9);
        expect(await store.occupancy('lobby', T0 + 10)).toEqual({
          participants: ['ada', 'zoe'],
          held: [],
          lastHeardMs: T0 + 5,
        });
      });

      it('ignores a left older than the joined recorded after it', async () => {
        await store.participantJoined('lobby', 'ada', T0 + 10);
        await store.participantLeft('lobby', 'ada', T0 + 5);
        expect((await store.occupancy('lobby', T0 + 20)).participants).toEqual(['ada']);
        await store.participantLeft('lobby', 'ada', T0 + 11);
        expect((await store.occupancy('lobby', T0 + 20)).participants).toEqual([]);
      });

      it('ignores a joined older than the left recorded after it', async () => {
        await store.participantLeft('lobby', 'ada', T0 + 10);
        await store.participantJoined('lobby', 'ada', T0 + 5);
        expect((await store.occupancy('lobby', T0 + 20)).participants).toEqual([]);
        await store.participantJoined('lobby', 'ada', T0 + 11);
        expect((await store.occupancy('lobby', T0 + 20)).participants).toEqual(['ada']);
      });

      it('replaces a room’s presence with what LiveKit lists, holds of those listed included', async () => {
        await store.participantJoined('lobby', 'a', T0);
        await store.participantJoined('lobby', 'b', T0);
        const uncapped = { room: 'lobby', maxParticipants: undefined, nowMs: T0 };
        await store.claimSeat(seat({ identity: 'c', ...uncapped }));
        await store.claimSeat(seat({ identity: 'd', ...uncapped }));
        await store.replaceParticipants('lobby', ['b', 'c'], T0 + 10);
        expect(await store.occupancy('lobby', T0 + 10)).toEqual({
          participants: ['b', 'c'],
          held: ['d'],
          lastHeardMs: T0 + 10,
        });
      });

      it('keeps, through a reconciliation, a webhook newer than its list', async () => {
        await store.participantJoined('lobby', 'a', T0);
        await store.participantLeft('lobby', 'a', T0 + 20);
        await store.participantJoined('lobby', 'b', T0 + 20);
        // A list taken at T0 + 10, answered after those webhooks.
        await store.replaceParticipants('lobby', ['a'], T0 + 10);
        expect((await store.occupancy('lobby', T0 + 30)).participants).toEqual(['b']);
        // And a webhook older than the list changes nothing after it.
        await store.replaceParticipants('lobby', ['b', 'c'], T0 + 40);
        await store.participantLeft('lobby', 'c', T0 + 35);
        expect((await store.occupancy('lobby', T0 + 50)).participants).toEqual(['b', 'c']);
      });

      it('forgets a finished room’s presence and holds, and its older webhooks', async () => {
        await store.participantJoined('lobby', 'a', T0);
        await store.claimSeat(seat({ room: 'lobby', identity: 'b', nowMs: T0 }));
        await store.roomFinished('lobby', T0 + 10);
        expect(await store.occupancy('lobby', T0 + 10)).toEqual({
          participants: [],
          held: [],
          lastHeardMs: T0 + 10,
        });
        // A joined of the session that finished, delivered late.
        await store.participantJoined('lobby', 'c', T0 + 5);
        await store.replaceParticipants('lobby', ['a'], T0 + 6);
        expect((await store.occupancy('lobby', T0 + 20)).participants).toEqual([]);
        // The room's next session.
        await store.participantJoined('lobby', 'c', T0 + 15);
        expect((await store.occupancy('lobby', T0 + 20)).participants).toEqual(['c']);
      });
    });

    describe('webhook ids', () => {
      it('answers true the first time an id is marked, false for its retries', async () => {
        expect(await store.markWebhookProcessed('evt-1', T0)).toBe(true);
        expect(await store.markWebhookProcessed('evt-1', T0 + 1_000)).toBe(false);
        expect(await store.markWebhookProcessed('evt-2', T0 + 1_000)).toBe(true);
        expect(await store.markWebhookProcessed('evt-1', T0 + DAY_MS - 1)).toBe(false);
      });
    });

    describeInviteAndLobbyContract(() => store);

    describe('audit trail', () => {
      const entries = [
        audit({ atMs: T0, identity: 'ada', details: { role: 'speaker', ttl: 600 } }),
        audit({ atMs: T0 + 1, identity: 'bob', event: 'ban_added', requestId: 'req-1' }),
        audit({ atMs: T0 + 2, identity: 'ada', actor: null, details: { kept: true, gone: null } }),
        audit({ atMs: T0 + 3, identity: 'bob' }),
        audit({ atMs: T0 + 4, identity: 'ada' }),
      ];

      beforeEach(async () => {
        for (const entry of entries) await store.appendAudit(entry);
        await store.appendAudit(audit({ atMs: T0 + 2, room: 'other' }));
        await store.appendAudit(audit({ atMs: T0 + 2, room: null, event: 'ban_added' }));
      });

      it('reads a room’s entries back, oldest first, with ids that sort as strings', async () => {
        const page = await store.listAudit({ room: 'lobby', limit: 100 });
        expect(page.next).toBeUndefined();
        expect(page.entries.map(({ id: _id, ...entry }) => entry)).toEqual(entries);
        const ids = page.entries.map((entry) => entry.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual(ids);
      });

      it('filters by time, at or after since and before until', async () => {
        const page = await store.listAudit({
          room: 'lobby',
          sinceMs: T0 + 1,
          untilMs: T0 + 3,
          limit: 100,
        });
        expect(page.entries.map((entry) => entry.atMs)).toEqual([T0 + 1, T0 + 2]);
      });

      it('filters by identity', async () => {
        const page = await store.listAudit({ room: 'lobby', identity: 'bob', limit: 100 });
        expect(page.entries.map((entry) => entry.atMs)).toEqual([T0 + 1, T0 + 3]);
        expect(await store.listAudit({ room: 'lobby', identity: 'nobody', limit: 100 })).toEqual({
          entries: [],
        });
      });

      it('pages with next and after, with no next on the last page', async () => {
        const seen: number[] = [];
        const first = await store.listAudit({ room: 'lobby', limit: 2 });
        expect(first.entries).toHaveLength(2);
        expect(first.next).toBe(first.entries[1]?.id);
        const second = await store.listAudit({ room: 'lobby', limit: 2, after: first.next });
        expect(second.next).toBeDefined();
        const third = await store.listAudit({ room: 'lobby', limit: 2, after: second.next });
        expect(third.next).toBeUndefined();
        for (const page of [first, second, third]) {
          seen.push(...page.entries.map((entry) => entry.atMs));
        }
        expect(seen).toEqual(entries.map((entry) => entry.atMs));
      });

      it('pages a filtered trail, and ends on a page exactly full', async () => {
        const first = await store.listAudit({ room: 'lobby', identity: 'ada', limit: 2 });
        expect(first.entries.map((entry) => entry.atMs)).toEqual([T0, T0 + 2]);
        const second = await store.listAudit({
          room: 'lobby',
          identity: 'ada',
          limit: 2,
          after: first.next,
        });
        expect(second).toEqual({ entries: [expect.objectContaining({ atMs: T0 + 4 })] });
        const exact = await store.listAudit({ room: 'lobby', identity: 'bob', limit: 2 });
        expect(exact.entries).toHaveLength(2);
        expect(exact.next).toBeUndefined();
      });

      it('keeps rooms apart, and acts on every room out of any room’s trail', async () => {
        const other = await store.listAudit({ room: 'other', limit: 100 });
        expect(other.entries).toEqual([expect.objectContaining({ room: 'other', atMs: T0 + 2 })]);
      });
    });

    describe('prune', () => {
      it('forgets audit entries older than beforeMs, answering how many', async () => {
        for (const atMs of [T0, T0 + 1, T0 + 2]) await store.appendAudit(audit({ atMs }));
        await store.appendAudit(audit({ atMs: T0, room: 'other' }));
        expect(await store.prune(T0 + 2, T0 + 10)).toBe(3);
        expect(
          (await store.listAudit({ room: 'lobby', limit: 100 })).entries.map((entry) => entry.atMs),
        ).toEqual([T0 + 2]);
        expect((await store.listAudit({ room: 'other', limit: 100 })).entries).toEqual([]);
        expect(await store.prune(T0 + 2, T0 + 10)).toBe(0);
      });

      it('forgets the entries of every room appended in one turn', async () => {
        await Promise.all(
          (['lobby', 'other', null, 'lobby', 'stage', null] as const).map((room) =>
            store.appendAudit(audit({ room })),
          ),
        );
        expect(await store.prune(T0 + 1, T0 + 1)).toBe(6);
        for (const room of ['lobby', 'other', 'stage']) {
          expect((await store.listAudit({ room, limit: 10 })).entries).toEqual([]);
        }
      });

      it('forgets expired bans and keeps the others', async () => {
        await store.addBan(ban({ id: 'expired', expiresAtMs: T0 + 10 }));
        await store.addBan(ban({ id: 'later', expiresAtMs: T0 + 11, createdAtMs: T0 + 1 }));
        await store.addBan(ban({ id: 'forever', createdAtMs: T0 + 2 }));
        await store.prune(T0, T0 + 10);
        expect(await store.banById('expired')).toBeUndefined();
        expect((await store.banById('later'))?.id).toBe('later');
        expect((await store.banById('forever'))?.id).toBe('forever');
        expect(await listedIds({ identity: 'mallory' })).toEqual(['later', 'forever']);
      });

      it('forgets expired holds and keeps the others', async () => {
        await store.claimSeat(seat({ identity: 'a', holdMs: 1_000 }));
        await store.claimSeat(seat({ identity: 'b', holdMs: 5_000 }));
        // Asked about an earlier time, occupancy shows what is still stored.
        expect((await store.occupancy('stage', T0)).held).toEqual(['a', 'b']);
        await store.prune(T0, T0 + 1_000);
        expect((await store.occupancy('stage', T0)).held).toEqual(['b']);
      });

      it('forgets webhook ids older than a day, and keeps newer ones', async () => {
        await store.markWebhookProcessed('old', T0);
        await store.markWebhookProcessed('recent', T0 + 1);
        await store.prune(T0, T0 + DAY_MS);
        expect(await store.markWebhookProcessed('old', T0 + DAY_MS)).toBe(true);
        expect(await store.markWebhookProcessed('recent', T0 + DAY_MS)).toBe(false);
      });
    });

    describe('close', () => {
      it('makes every later call reject with ModerationStoreUnavailableError', async () => {
        await store.close();
        const calls: Array<() => Promise<unknown>> = [
          () => store.addBan(ban({ id: 'b1' })),
          () => store.banById('b1'),
          () => store.listBans({ limit: 10 }, T0),
          () => store.banFor('a', 'b', T0),
          () => store.roomLimit('lobby'),
          () => store.claimSeat(seat({ identity: 'a' })),
          () => store.participantJoined('lobby', 'a', T0),
          () => store.occupancy('lobby', T0),
          () => store.markWebhookProcessed('evt', T0),
          () => store.createInvite({ ...closedInvite }),
          () => store.inviteById('i1'),
          () => store.listInvites('lobby'),
          () => store.revokeInvite('i1'),
          () => store.redeemInvite(closedInvite.codeHash, T0),
          () => store.returnInviteUse('i1'),
          () => store.addLobbyEntry({ ...closedLobbyEntry }),
          () => store.lobbyEntry('g1'),
          () => store.listLobby('lobby', T0),
          () => store.decideLobbyEntry('g1', 'lobby', 'admitted', 'api-key:ops', T0),
          () => store.collectAdmission('g1'),
          () => store.returnAdmission('g1'),
          () => store.appendAudit(audit()),
          () => store.listAudit({ room: 'lobby', limit: 1 }),
          () => store.prune(T0, T0),
        ];
        for (const call of calls) {
          await expect(call()).rejects.toBeInstanceOf(ModerationStoreUnavailableError);
        }
        // Closing again is harmless: afterEach does it.
      });
    });
  });
}
