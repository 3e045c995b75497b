// The Redis connection of budgets and moderation, against a real redis-server: what one turn
// of the event loop asks of it goes to Redis in one write (auto-pipelining), so that under
// load the requests read in one turn cost one round trip between them, not one each.
import Redis from 'ioredis';
import { createRedisClient } from '../../../server/src/rate-limit/redis-client';
import { createRedisStore } from '../../../server/src/rate-limit/redis-store';
import {
  describeWithRedis,
  startRedis,
  stopAllRedis,
  type RunningRedis,
} from '../../support/redis';

/** Commands (or budgets) asked for in one turn. */
const IN_ONE_TURN = 20;

/**
 * The read events redis-server has had (INFO stats' `total_reads_processed`): a client's
 * write, however many commands it holds, is one read when it fits the 16 KiB read buffer.
 * The INFO that asks counts one itself.
 */
async function readsProcessed(observer: Redis): Promise<number> {
  const stats = await observer.info('stats');
  const reads = /total_reads_processed:(\d+)/.exec(stats)?.[1];
  if (reads === undefined) throw new Error(`no total_reads_processed in INFO stats: ${stats}`);
  return Number(reads);
}

/** Resolves once `client` is connected: without the offline queue, it refuses until then. */
function ready(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

/** The reads redis-server had while `work` ran, less the INFO that asked afterwards. */
async function readsDuring(observer: Redis, work: () => Promise<unknown>): Promise<number> {
  const before = await readsProcessed(observer);
  await work();
  return (await readsProcessed(observer)) - before - 1;
}

afterAll(stopAllRedis);

describeWithRedis()('the Redis connection (createRedisClient)', () => {
  let redis: RunningRedis;
  let observer: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    observer = new Redis(redis.url);
  });

  afterAll(() => observer.disconnect());

  it('sends the commands of one turn in one write', async () => {
    const client = createRedisClient(redis.url, 2_000);
    try {
      await ready(client);
      const reads = await readsDuring(observer, () =>
        Promise.all(Array.from({ length: IN_ONE_TURN }, (_, index) => client.incr(`n:${index}`))),
      );
      expect(reads).toBe(1);
      // Each command still gets its own answer.
      expect(await client.mget('n:0', `n:${IN_ONE_TURN - 1}`)).toEqual(['1', '1']);
    } finally {
      client.disconnect();
    }
  });

  it('sends the commands of separate turns in separate writes', async () => {
    const client = createRedisClient(redis.url, 2_000);
    try {
      await ready(client);
      const reads = await readsDuring(observer, async () => {
        for (let index = 0; index < 3; index += 1) await client.incr('turns');
      });
      expect(reads).toBe(3);
    } finally {
      client.disconnect();
    }
  });

  it("spends the budgets asked for in one turn in one write, each caller's own", async () => {
    const store = createRedisStore(redis.url, { keyPrefix: 'turn:' });
    try {
      const budget = store.limiter('token', 5, 60);
      // Counted in memory until connected; the first count in Redis loads the script (EVAL).
      for (let tries = 0; (await observer.get('turn:token:warm-up')) === null; tries += 1) {
        if (tries === 100) throw new Error('the budget never reached Redis');
        await budget.consume('warm-up');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const callers = Array.from({ length: IN_ONE_TURN }, (_, index) => `ip:203.0.113.${index}`);
      let spent: Array<{ consumedPoints: number }> = [];
      const reads = await readsDuring(observer, async () => {
        spent = await Promise.all(callers.map((caller) => budget.consume(caller)));
      });
      expect(reads).toBe(1);
      expect(spent.map(({ consumedPoints }) => consumedPoints)).toEqual(callers.map(() => 1));
      expect(await observer.get('turn:token:ip:203.0.113.0')).toBe('1');
    } finally {
      await store.close();
    }
  });
});
