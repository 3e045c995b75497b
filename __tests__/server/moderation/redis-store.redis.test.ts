// The Redis store on a real redis-server, under a fresh key prefix per test: the contract,
// Redis away, and the persistence warning.
import Redis from 'ioredis';
import { createRedisModerationStore } from '../../../server/src/moderation/redis-store';
import { ModerationStoreUnavailableError } from '../../../server/src/moderation/store';
import {
  describeWithRedis,
  startRedis,
  stopAllRedis,
  type RunningRedis,
} from '../../support/redis';
import { describeModerationStoreContract } from './store.contract';

let redis: RunningRedis | undefined;
const clients: Redis[] = [];
let prefixes = 0;
const T0 = 1_700_000_000_000;

function clientOf(url: string): Redis {
  // disconnectTimeout: a client of a server a test stopped would otherwise keep a 2 s timer
  // for its dead socket past the suite's end.
  const client = new Redis(url, {
    commandTimeout: 2_000,
    maxRetriesPerRequest: 0,
    disconnectTimeout: 100,
  });
  client.on('error', () => {});
  clients.push(client);
  return client;
}

afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

afterAll(stopAllRedis);

describeWithRedis()('the Redis moderation store', () => {
  beforeAll(async () => {
    redis = await startRedis();
  });

  describeModerationStoreContract('Redis', async () =>
    createRedisModerationStore(
      clientOf((redis as RunningRedis).url),
      `mod-test-${(prefixes += 1)}:`,
    ),
  );

  it("keeps a room's holds key past its latest hold, renewals included", async () => {
    const client = clientOf((redis as RunningRedis).url);
    const prefix = `mod-test-${(prefixes += 1)}:`;
    const store = createRedisModerationStore(client, prefix);
    const claim = { room: 'stage', identity: 'ada', maxParticipants: 5 };
    const terms = { duplicateIdentity: 'replace' as const };
    await store.claimSeat({ ...claim, ...terms, holdMs: 1_000, nowMs: T0 });
    expect(await client.pttl(`${prefix}mod:holds:stage`)).toBeLessThanOrEqual(2_000);
    // A renewal (the hold is still in force) whose hold ends after the key set at first.
    expect(await store.claimSeat({ ...claim, ...terms, holdMs: 60_000, nowMs: T0 + 500 })).toEqual({
      outcome: 'granted',
      seats: 1,
    });
    expect(await client.pttl(`${prefix}mod:holds:stage`)).toBeGreaterThan(100_000);
    await store.close();
  });

  it('prunes expired bans page by page, leaving no trace of them, and keeps the others', async () => {
    const client = clientOf((redis as RunningRedis).url);
    const prefix = `mod-test-${(prefixes += 1)}:`;
    const store = createRedisModerationStore(client, prefix);
    const base = { room: null, reason: 'spam', createdBy: 'api-key:ops', createdAtMs: T0 };
    // More than two pages (500 a page) of expired bans, one lifted by hand, one for good.
    for (let index = 0; index < 1_201; index += 1) {
      await store.addBan({
        ...base,
        id: `old-${index}`,
        identity: `eve-${index % 3}`,
        room: index % 2 === 0 ? 'stage' : null,
        expiresAtMs: T0 + 10,
      });
    }
    await store.addBan({
      ...base,
      id: 'lifted',
      identity: 'bob',
      room: 'stage',
      expiresAtMs: T0 + 5_000,
    });
    await store.addBan({
      ...base,
      id: 'forever',
      identity: 'eve-0',
      room: 'stage',
      expiresAtMs: null,
    });
    expect((await store.removeBan('lifted'))?.id).toBe('lifted');
    await store.prune(T0, T0 + 10);
    expect((await client.keys(`${prefix}mod:ban:*`)).sort()).toEqual([`${prefix}mod:ban:forever`]);
    expect(await client.zrange(`${prefix}mod:bans:all`, 0, -1)).toEqual(['forever']);
    expect(await client.zrange(`${prefix}mod:bans:in:stage`, 0, -1)).toEqual(['forever']);
    expect(await client.exists(`${prefix}mod:bans:expiring`)).toBe(0);
    expect(await client.hkeys(`${prefix}mod:bans:of:eve-0`)).toEqual(['forever']);
    expect(await client.exists(`${prefix}mod:bans:of:eve-1`, `${prefix}mod:bans:of:bob`)).toBe(0);
    await store.close();
  });

  it('lists every ban, oldest first, reading 500 ids at a time and no further than a page needs', async () => {
    const client = clientOf((redis as RunningRedis).url);
    const store = createRedisModerationStore(client, `mod-test-${(prefixes += 1)}:`);
    const base = { reason: 'spam', createdBy: 'api-key:ops', expiresAtMs: null };
    // More than two pages (500 a page), half for one room, and one lifted.
    for (let index = 0; index < 1_201; index += 1) {
      await store.addBan({
        ...base,
        id: `ban-${String(index).padStart(4, '0')}`,
        identity: `eve-${index}`,
        room: index % 2 === 0 ? 'stage' : null,
        createdAtMs: T0 + index,
      });
    }
    await store.removeBan('ban-0600');
    const mgetCalls = async () =>
      Number(/cmdstat_mget:calls=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0);
    const before = await mgetCalls();
    // One page of them all: read 500 ids, and their bans, at a time.
    const all = await store.listBans({ limit: 1_200 }, T0);
    expect(await mgetCalls()).toBe(before + 3);
    expect(all.next).toBeUndefined();
    expect(all.bans.map((ban) => ban.createdAtMs)).toEqual(
      Array.from({ length: 1_201 }, (_, index) => T0 + index).filter((at) => at !== T0 + 600),
    );
    // A room's page reads the room's own ids, and no more than it needs: one MGET of 101.
    const stage = await store.listBans({ room: 'stage', limit: 100 }, T0);
    expect(await mgetCalls()).toBe(before + 4);
    expect(stage.bans).toHaveLength(100);
    expect(stage.bans.every((ban) => ban.room === 'stage')).toBe(true);
    expect(stage.next).toEqual({ createdAtMs: T0 + 198, id: 'ban-0198' });
    await store.close();
  });

  it('leaves no key of an invite or a guest behind once revoked, decided and pruned', async () => {
    const client = clientOf((redis as RunningRedis).url);
    const prefix = `mod-keys-${(prefixes += 1)}:`;
    const store = createRedisModerationStore(client, prefix);
    const keys = async () => (await client.keys(`${prefix}*`)).sort();
    const invite = (id: string, codeHash: string) => ({
      id,
      codeHash,
      room: 'lab',
      role: 'participant',
      identity: null,
      name: null,
      maxUses: 1,
      uses: 0,
      waitingRoom: true,
      createdAtMs: T0,
      expiresAtMs: T0 + 1_000,
      createdBy: 'api-key:key-1',
    });
    const guest = (id: string) => ({
      id,
      room: 'lab',
      inviteId: 'kept',
      pollTokenHash: 'cd'.repeat(32),
      identity: `guest-${id}`,
      name: null,
      role: 'participant',
      status: 'waiting' as const,
      collected: false,
      createdAtMs: T0,
      expiresAtMs: T0 + 1_000,
      decidedAtMs: null,
      decidedBy: null,
    });
    await store.createInvite(invite('revoked', 'aa'.repeat(32)));
    await store.createInvite(invite('kept', 'bb'.repeat(32)));
    await store.addLobbyEntry(guest('admitted'));
    await store.addLobbyEntry(guest('waiting'));
    await store.revokeInvite('revoked');
    await store.decideLobbyEntry('admitted', 'lab', 'admitted', 'login:host', T0);
    expect(await keys()).toEqual(
      [
        `invite:kept`,
        `invite-code:${'bb'.repeat(32)}`,
        'invites:lab',
        'invite-expiries',
        'lobby-entry:admitted',
        'lobby-entry:waiting',
        'lobby:lab',
        'lobby-expiries',
      ]
        .map((name) => `${prefix}mod:${name}`)
        .sort(),
    );
    expect(await client.zrange(`${prefix}mod:invites:lab`, 0, -1)).toEqual(['kept']);
    expect(await client.zrange(`${prefix}mod:invite-expiries`, 0, -1)).toEqual(['kept']);
    // The room's lobby holds only the guests waiting.
    expect(await client.zrange(`${prefix}mod:lobby:lab`, 0, -1)).toEqual(['waiting']);
    await store.prune(T0, T0 + 2 * 24 * 3600 * 1000);
    expect(await keys()).toEqual([]);
  });

  it('rejects with ModerationStoreUnavailableError when Redis is gone, and loses nothing it said it kept', async () => {
    const own = await startRedis();
    const store = createRedisModerationStore(clientOf(own.url), 'gone:');
    await store.addBan({
      id: 'b1',
      identity: 'mallory',
      room: null,
      reason: null,
      createdAtMs: 1,
      expiresAtMs: null,
      createdBy: 'api-key:key-1',
    });
    await own.stop();
    await expect(store.banFor('mallory', 'lab', 2)).rejects.toBeInstanceOf(
      ModerationStoreUnavailableError,
    );
  });

  it('warns when Redis persists nothing, as the tests run it', async () => {
    const store = createRedisModerationStore(clientOf((redis as RunningRedis).url), 'warn:');
    expect(await store.persistenceWarning()).toMatch(/appendonly yes/);
  });

  it('says nothing once appendonly is on', async () => {
    const own = await startRedis();
    const client = clientOf(own.url);
    await client.config('SET', 'appendonly', 'yes');
    const store = createRedisModerationStore(client, 'kept:');
    expect(await store.persistenceWarning()).toBeUndefined();
  });
});
