// Several node processes making store calls at once, each through its own store on the same
// SQLite file or the same Redis: the race a load balancer creates between instances. The
// processes run the compiled stores (server/dist). seat-race.ts and invite-race.ts say what
// they race for.
import { join } from 'node:path';
import { REPO_ROOT, requireBuilt } from '../../../support/processes';
import { runReleasedTogether } from '../../../support/released-processes';
import type { ModerationStore } from '../../../../server/src/moderation/store';

const DIST = join(REPO_ROOT, 'server', 'dist');

/** Where the racing stores keep their state. */
export type RaceTarget =
  { kind: 'sqlite'; dataDir: string } | { kind: 'redis'; url: string; keyPrefix: string };

/**
 * The child: opens its store, says `ready`, waits for `go` on stdin so that every child
 * calls at the same moment, makes all its calls at once, prints the answers.
 */
const CHILD = `
const [target, method, calls] = process.argv.slice(1);
const config = JSON.parse(target);
async function open() {
  if (config.kind === 'sqlite') {
    return require(${JSON.stringify(join(DIST, 'moderation', 'sqlite-store.js'))})
      .openSqliteModerationStore(config.dataDir);
  }
  const client = require(${JSON.stringify(join(DIST, 'rate-limit', 'redis-client.js'))})
    .createRedisClient(config.url, 5000);
  client.on('error', () => {});
  await new Promise((resolve) => client.once('ready', resolve));
  return require(${JSON.stringify(join(DIST, 'moderation', 'redis-store.js'))})
    .createRedisModerationStore(client, config.keyPrefix, { ownsClient: true });
}
open().then((store) => {
  process.stdout.write('ready\\n');
  process.stdin.once('data', async () => {
    const answers = await Promise.all(JSON.parse(calls).map((args) =>
      store[method](...args)
        .then((value) => ({ value: value === undefined ? null : value }),
          (error) => ({ error: String(error) }))));
    process.stdout.write(JSON.stringify(answers) + '\\n');
    await store.close();
  });
});
`;

/** One call's answer (undefined answered as null, as JSON has it), or the error it failed with. */
export interface RacedCall {
  value?: unknown;
  error?: string;
}

/**
 * Runs one child per entry of `callsPerProcess`, each making `method` calls with the
 * arguments listed for it, releases them together, and answers each child's answers, in
 * the order of its calls, once all have exited.
 */
export async function raceStoreCalls(
  target: RaceTarget,
  method: keyof ModerationStore,
  callsPerProcess: unknown[][][],
): Promise<RacedCall[][]> {
  requireBuilt(join(DIST, 'moderation', 'sqlite-store.js'));
  return runReleasedTogether<RacedCall[]>(
    CHILD,
    callsPerProcess.map((calls) => [JSON.stringify(target), method, JSON.stringify(calls)]),
  );
}
