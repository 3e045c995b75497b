// The targets of the /token phase: our server as production runs it (one process, two
// workers, budgets in Redis) and the two references, how each is started, and the contract
// check each passes before it is measured.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { scratchDirectory, startChildServer } from './child-server';
import type { ChildServer } from './child-server';
import {
  BENCH_KEY,
  BENCH_LIVEKIT_URL,
  REQUEST_HEADERS,
  TOKEN_TTL_SECONDS,
  checkTokenContract,
} from './contract';
import type { ContractCheck } from './contract';
import type { BenchRedis } from './redis-server';
import { BENCH_ROOM_CAP, SEEDED_BANS, seedRedisBans, seedSqliteBans } from './moderation-seed';
import { NAME_WIDTH } from './rounds';

export const REPO_ROOT = path.resolve(__dirname, '..');

/**
 * In rotation order, which is cyclic: ours runs next to the SDK reference, and ours-redis
 * (last) next to ours (first), each in four rounds of five.
 */
export const TARGET_NAMES = [
  'ours',
  'sdk',
  'bare',
  'ours-moderated',
  'ours-workers',
  'ours-redis-moderated',
  'ours-redis',
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface Target {
  description: string;
  check: ContractCheck;
  /** One of our servers: it must also answer with CORS and log every request. */
  ours: boolean;
  start(redis: BenchRedises): Promise<ChildServer>;
}

/** The redis-servers targets use: one for budgets (ours-redis), one for moderation. */
export interface BenchRedises {
  limits: BenchRedis | undefined;
  moderation: BenchRedis | undefined;
}

/**
 * The environment every server starts with: this one minus anything that changes defaults,
 * plus the bench's key and LiveKit URL (which /connection-details needs).
 */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'NODE_ENV',
    'CORS_ORIGINS',
    'LIVEKIT_URL',
    'TOKEN_EXPIRY_HOURS',
    'TOKEN_SERVER_WORKERS',
    'REDIS_URL',
    'REDIS_KEY_PREFIX',
    'METRICS_PORT',
    'METRICS_HOST',
    'DATA_DIR',
    'ROOM_MAX_PARTICIPANTS',
  ]) {
    delete env[name];
  }
  return {
    ...env,
    LIVEKIT_API_KEY: BENCH_KEY.apiKey,
    LIVEKIT_API_SECRET: BENCH_KEY.apiSecret,
    LIVEKIT_URL: BENCH_LIVEKIT_URL,
    ...extra,
  };
}

/** tsx's loader (what `node --import tsx` loads), found from here rather than from the cwd. */
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

function startReference(file: string, name: string): Promise<ChildServer> {
  return startChildServer(
    name,
    process.execPath,
    ['--import', TSX_LOADER, path.join(__dirname, file)],
    serverEnv({}),
    REPO_ROOT,
  );
}

/** Starts server/dist/index.js with every feature on, plus `extra`. */
function startOurs(name: TargetName, extra: Record<string, string>): Promise<ChildServer> {
  return startChildServer(
    name,
    process.execPath,
    [path.join(REPO_ROOT, 'server', 'dist', 'index.js')],
    serverEnv({
      TOKEN_SERVER_PORT: '0',
      TOKEN_SERVER_HOST: '127.0.0.1',
      TOKEN_EXPIRY_HOURS: String(TOKEN_TTL_SECONDS / 3600),
      // The limiter stays on, so its cost is measured, with a budget the load never spends.
      RATE_LIMIT_PER_MINUTE: '100000000',
      // Metrics on, as by default, on a port of its own rather than 9464 for every target.
      METRICS_PORT: '0',
      // Moderation on, as by default: each target its own SQLite file.
      DATA_DIR: path.join(scratchDirectory(), `data-${name}`),
      ...extra,
    }),
    // Not the repository: a developer's .env there would change what is measured.
    scratchDirectory(),
  );
}

const OURS_FEATURES = 'CORS, helmet, rate limit, validation, access log, metrics';

export const TARGETS: Record<TargetName, Target> = {
  ours: {
    description: `server/dist/index.js, one process (${OURS_FEATURES})`,
    check: 'signed-token',
    ours: true,
    start: () => startOurs('ours', {}),
  },
  'ours-workers': {
    description: 'the same with TOKEN_SERVER_WORKERS=2 (CPU: primary and workers)',
    check: 'signed-token',
    ours: true,
    start: () => startOurs('ours-workers', { TOKEN_SERVER_WORKERS: '2' }),
  },
  'ours-redis': {
    description:
      'the same, one process, budgets and moderation in redis-server on loopback (REDIS_URL)',
    check: 'signed-token',
    ours: true,
    start: ({ limits }) => {
      if (limits === undefined) throw new Error('ours-redis needs a redis-server');
      return startOurs('ours-redis', { REDIS_URL: limits.url });
    },
  },
  'ours-moderated': {
    description: `ours with ${SEEDED_BANS} bans in its SQLite file and a cap on every room`,
    check: 'signed-token',
    ours: true,
    start: async () => {
      await seedSqliteBans(path.join(scratchDirectory(), 'data-ours-moderated'));
      return startOurs('ours-moderated', { ROOM_MAX_PARTICIPANTS: String(BENCH_ROOM_CAP) });
    },
  },
  'ours-redis-moderated': {
    description: `ours-redis with ${SEEDED_BANS} bans in Redis and a cap on every room (a redis-server of its own)`,
    check: 'signed-token',
    ours: true,
    start: async ({ moderation }) => {
      if (moderation === undefined) throw new Error('ours-redis-moderated needs a redis-server');
      await seedRedisBans(moderation.url, 'lkts:');
      return startOurs('ours-redis-moderated', {
        REDIS_URL: moderation.url,
        ROOM_MAX_PARTICIPANTS: String(BENCH_ROOM_CAP),
      });
    },
  },
  sdk: {
    description: "LiveKit docs' /token with AccessToken",
    check: 'signed-token',
    ours: false,
    start: () => startReference('reference-sdk.ts', 'sdk'),
  },
  bare: {
    description: 'Express answering a constant JSON',
    check: 'constant',
    ours: false,
    start: () => startReference('reference-bare.ts', 'bare'),
  },
};

/** Starts the named targets one by one, checking each against the /token contract first. */
export async function startTargets(
  names: readonly TargetName[],
  redis: BenchRedises,
): Promise<Map<TargetName, ChildServer>> {
  const servers = new Map<TargetName, ChildServer>();
  for (const name of names) {
    const target = TARGETS[name];
    const server = await target.start(redis);
    servers.set(name, server);
    const allowedOrigin = await checkTokenContract(server.url, target.check).catch(
      (error: unknown) => {
        throw new Error(`${name} broke the /token contract: ${String(error)}`);
      },
    );
    if (target.ours && allowedOrigin !== REQUEST_HEADERS.origin) {
      throw new Error(`${name} answered without CORS for ${REQUEST_HEADERS.origin}`);
    }
    console.log(`  ${name.padEnd(NAME_WIDTH)} ${server.url}  contract OK`);
  }
  return servers;
}
