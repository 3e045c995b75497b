// The last seats of a room, claimed at once by several processes through one Redis:
// exactly as many granted as there were seats, never more.
import { randomUUID } from 'node:crypto';
import { createRedisModerationStore } from '../../../server/src/moderation/redis-store';
import { createRedisClient } from '../../../server/src/rate-limit/redis-client';
import {
  describeWithRedis,
  startRedis,
  stopAllRedis,
  type RunningRedis,
} from '../../support/redis';
import { RACING_GROUPS, raceForSeats } from './support/seat-race';

const CAP = 10;
const PRESENT = 7;

describeWithRedis()(
  'five processes claiming the last 3 seats for 20 identities on one Redis',
  () => {
    let redis: RunningRedis;

    beforeAll(async () => {
      redis = await startRedis();
    });

    afterAll(async () => {
      await stopAllRedis();
    });

    it('grants exactly 3, and answers full with 10 seats to the 17 others', async () => {
      const keyPrefix = `race-${randomUUID()}:`;
      const client = createRedisClient(redis.url, 5_000);
      client.on('error', () => {});
      await new Promise((resolve) => client.once('ready', resolve));
      const store = createRedisModerationStore(client, keyPrefix, { ownsClient: true });
      try {
        for (let index = 0; index < PRESENT; index += 1) {
          await store.participantJoined('stage', `present-${index}`, 1);
        }

        const answers = await raceForSeats(
          { kind: 'redis', url: redis.url, keyPrefix },
          RACING_GROUPS,
          'stage',
          CAP,
        );

        expect(answers.filter((answer) => answer.error !== undefined)).toEqual([]);
        expect(answers).toHaveLength(20);
        const granted = answers.filter((answer) => answer.claim?.outcome === 'granted');
        expect(
          granted
            .map((answer) => answer.claim?.outcome === 'granted' && answer.claim.seats)
            .sort((a, b) => Number(a) - Number(b)),
        ).toEqual([8, 9, 10]);
        const full = answers.filter((answer) => answer.claim?.outcome === 'full');
        expect(full.map((answer) => answer.claim)).toEqual(
          Array.from({ length: 17 }, () => ({ outcome: 'full', seats: CAP })),
        );
        const occupancy = await store.occupancy('stage', 1_700_000_000_000);
        expect(occupancy.held.sort()).toEqual(granted.map((answer) => answer.identity).sort());
      } finally {
        await store.close();
      }
    });
  },
);
