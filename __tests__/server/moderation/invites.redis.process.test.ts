// An invite's last uses, and an admitted guest's one collection, raced for by several
// processes through one Redis: as many redeemed as there were uses, one collection.
import { randomUUID } from 'node:crypto';
import { createRedisModerationStore } from '../../../server/src/moderation/redis-store';
import type { ModerationStore } from '../../../server/src/moderation/store';
import { createRedisClient } from '../../../server/src/rate-limit/redis-client';
import {
  describeWithRedis,
  startRedis,
  stopAllRedis,
  type RunningRedis,
} from '../../support/redis';
import {
  FIVE_USE_INVITE,
  RACE_NOW_MS,
  raceForInviteUses,
  raceToCollect,
  WAITING_GUEST,
} from './support/invite-race';

describeWithRedis()('processes racing through one Redis', () => {
  let redis: RunningRedis;
  let keyPrefix: string;
  let store: ModerationStore;

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await stopAllRedis();
  });

  beforeEach(async () => {
    keyPrefix = `race-${randomUUID()}:`;
    const client = createRedisClient(redis.url, 5_000);
    client.on('error', () => {});
    await new Promise((resolve) => client.once('ready', resolve));
    store = createRedisModerationStore(client, keyPrefix, { ownsClient: true });
  });

  afterEach(async () => {
    await store.close();
  });

  it('redeem a 5-use invite 20 times at once: exactly 5 redeemed, uses 1 to 5, 15 used-up', async () => {
    await store.createInvite(FIVE_USE_INVITE);

    const answers = await raceForInviteUses({ kind: 'redis', url: redis.url, keyPrefix });

    expect(answers.filter((answer) => answer.error !== undefined)).toEqual([]);
    expect(answers).toHaveLength(20);
    const uses = answers.flatMap((answer) =>
      answer.value?.outcome === 'redeemed' ? [answer.value.invite.uses] : [],
    );
    expect(uses.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(answers.filter((answer) => answer.value?.outcome === 'used-up')).toHaveLength(15);
    expect((await store.inviteById(FIVE_USE_INVITE.id))?.uses).toBe(5);
  });

  it('collect an admitted guest’s details 20 times at once: exactly one true', async () => {
    await store.addLobbyEntry(WAITING_GUEST);
    const { id, room } = WAITING_GUEST;
    await store.decideLobbyEntry(id, room, 'admitted', 'api-key:key-1', RACE_NOW_MS);

    const answers = await raceToCollect({ kind: 'redis', url: redis.url, keyPrefix });

    expect(answers.filter((answer) => answer.error !== undefined)).toEqual([]);
    expect(answers).toHaveLength(20);
    expect(answers.filter((answer) => answer.value === true)).toHaveLength(1);
    expect(answers.filter((answer) => answer.value === false)).toHaveLength(19);
  });
});
