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
