// The moderation phase's state: 100,000 bans stored before the moderated targets start, in
// their SQLite file or their Redis, through the server's own stores (server/dist), so that
// every token request's ban check searches a store of a real size.
import { randomUUID } from 'node:crypto';
import path from 'node:path';

/** How many bans the moderated targets hold. */
export const SEEDED_BANS = 100_000;

/** The cap on every room of the moderated targets: each request claims a seat, none is full. */
export const BENCH_ROOM_CAP = 100_000;

const REPO_ROOT = path.resolve(__dirname, '..');
const DIST = path.join(REPO_ROOT, 'server', 'dist', 'moderation');

interface SeedStore {
  addBan(ban: object): Promise<void>;
  close(): Promise<void>;
}

/** Bans of made-up identities, some for one room, some for every room; none is the bench's. */
async function seed(store: SeedStore): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < SEEDED_BANS; start += 1000) {
    await Promise.all(
      Array.from({ length: 1000 }, (_, offset) =>
        store.addBan({
          id: randomUUID(),
          identity: `banned-${start + offset}@example.com`,
          room: (start + offset) % 2 === 0 ? 'bench-room' : null,
          reason: 'bench',
          createdAtMs: now,
          expiresAtMs: null,
          createdBy: 'api-key:bench',
        }),
      ),
    );
  }
  await store.close();
}

/** Seeds the SQLite file in `dataDir`. */
export async function seedSqliteBans(dataDir: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openSqliteModerationStore } = require(path.join(DIST, 'sqlite-store.js')) as {
    openSqliteModerationStore(dataDir: string): SeedStore;
  };
  await seed(openSqliteModerationStore(dataDir));
}

/** Seeds the Redis at `url` under `keyPrefix`. */
export async function seedRedisBans(url: string, keyPrefix: string): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { createRedisClient } = require(
    path.join(REPO_ROOT, 'server', 'dist', 'rate-limit', 'redis-client.js'),
  ) as { createRedisClient(url: string, timeoutMs: number, options: object): object };
  const { createRedisModerationStore } = require(path.join(DIST, 'redis-store.js')) as {
    createRedisModerationStore(client: object, prefix: string, options: object): SeedStore;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const client = createRedisClient(url, 10_000, { queueWhileConnecting: true });
  await seed(createRedisModerationStore(client, keyPrefix, { ownsClient: true }));
}
