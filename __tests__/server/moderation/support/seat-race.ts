// Several node processes claiming the last seats of one room at once, each through its
// own store on the same SQLite file or the same Redis: the race a load balancer creates
// between instances. The processes run the compiled stores (server/dist).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROCESS_TIMEOUT_MS, REPO_ROOT, requireBuilt, cleanEnv } from '../../../support/processes';
import type { SeatClaim } from '../../../../server/src/moderation/store';

const DIST = join(REPO_ROOT, 'server', 'dist');

/** Where the racing stores keep their state. */
export type RaceTarget =
  { kind: 'sqlite'; dataDir: string } | { kind: 'redis'; url: string; keyPrefix: string };

/**
 * The child: opens its store, says `ready`, waits for `go` on stdin so that every child
 * claims at the same moment, claims a seat for each identity at once, prints the answers.
 */
const CHILD = `
const [target, identities, room, cap] = process.argv.slice(1);
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
    const answers = await Promise.all(JSON.parse(identities).map((identity) =>
      store.claimSeat({ room, identity, maxParticipants: Number(cap), holdMs: 60000,
        duplicateIdentity: 'replace', nowMs: 1700000000000 })
        .then((claim) => ({ identity, claim }), (error) => ({ identity, error: String(error) }))));
    process.stdout.write(JSON.stringify(answers) + '\\n');
    await store.close();
  });
});
`;

/** One identity's answer, or the error its claim failed with. */
export interface RaceAnswer {
  identity: string;
  claim?: SeatClaim;
  error?: string;
}

/**
 * Runs one child per group of identities, releases them together, and answers every
 * child's answers once all have exited.
 */
export async function raceForSeats(
  target: RaceTarget,
  groups: string[][],
  room: string,
  cap: number,
): Promise<RaceAnswer[]> {
  requireBuilt(join(DIST, 'moderation', 'sqlite-store.js'));
  const children = groups.map((identities) => {
    const child = spawn(
      process.execPath,
      ['-e', CHILD, JSON.stringify(target), JSON.stringify(identities), room, String(cap)],
      { cwd: REPO_ROOT, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ready = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.startsWith('ready\n')) {
          child.stdout.off('data', check);
          resolve();
        }
      };
      child.stdout.on('data', check);
      child.once('exit', (code) => reject(new Error(`a claimer exited ${code}: ${stderr}`)));
    });
    const exited = new Promise<RaceAnswer[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`a claimer ran over ${PROCESS_TIMEOUT_MS} ms: ${stderr}`));
      }, PROCESS_TIMEOUT_MS);
      child.once('close', (code) => {
        clearTimeout(timer);
        if (code !== 0) reject(new Error(`a claimer exited ${code}: ${stderr}`));
        else resolve(JSON.parse(stdout.slice('ready\n'.length)) as RaceAnswer[]);
      });
    });
    return { child, ready, exited };
  });
  try {
    await Promise.all(children.map((racer) => racer.ready));
    for (const { child } of children) child.stdin.end('go\n');
    return (await Promise.all(children.map((racer) => racer.exited))).flat();
  } finally {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** 20 distinct identities in 5 processes of 4. */
export const RACING_GROUPS = Array.from({ length: 5 }, (_, group) =>
  Array.from({ length: 4 }, (_, index) => `racer-${group}-${index}`),
);
