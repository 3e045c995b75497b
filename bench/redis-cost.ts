// What keeping budgets in Redis costs per /token request: the server's extra CPU and the
// requests/s it gives up (ours-redis against ours, in the same rounds), redis-server's own
// CPU, and whether every request was counted in Redis rather than in memory.
import type { BenchRedis } from './redis-server';
import { median, perRoundCpuDifferences, perRoundRatios } from './rounds';
import type { TargetSummary } from './rounds';

/**
 * The command that counts a budget: rate-limiter-flexible's Lua script runs one INCRBY per
 * budget spent (with a SET and a PTTL). Not EVAL or EVALSHA, which the moderation store's
 * own scripts (a token's admission, its audit entry) run too; none of those uses INCRBY.
 */
const BUDGET_COUNT_COMMANDS = ['incrby'];

/** What redis-server had done by one moment. */
export interface RedisActivity {
  /** Budgets counted: INCRBY run. NaN when redis-server did not answer. */
  budgetCounts: number;
  /** Commands run, scripts' own included, INFO excluded. NaN when it did not answer. */
  commands: number;
  cpuSeconds: number;
}

/** What Redis costs ours per /token request, from the same rounds as ours. */
export interface RedisCost {
  /** ours-redis' requests/s over ours', median of the per-round ratios. */
  requestsPerSecondRatio: number;
  requestsPerSecondRatioRounds: number[];
  /** ours-redis' server CPU µs per request minus ours', median of per-round differences. */
  serverCpuMicrosPerRequest: number;
  serverCpuMicrosPerRequestRounds: number[];
  /** redis-server's CPU over the phase per request ours-redis answered, in µs. */
  redisServerCpuMicrosPerRequest: number;
  /** Over the phase: budgets counted in Redis, commands run, requests ours-redis answered. */
  budgetCounts: number;
  commands: number;
  oursRedisRequests: number;
}

/** What `redis` has done so far; after a failure to answer, NaN counts. */
export async function redisActivity(redis: BenchRedis): Promise<RedisActivity> {
  const calls = (await redis.stats().catch(() => undefined))?.commandCalls;
  const callsOf = (commands: (command: string) => boolean): number => {
    if (calls === undefined) return NaN;
    return [...calls].reduce((sum, [name, count]) => sum + (commands(name) ? count : 0), 0);
  };
  return {
    budgetCounts: callsOf((name) => BUDGET_COUNT_COMMANDS.includes(name)),
    commands: callsOf((name) => name !== 'info'),
    cpuSeconds: redis.cpuSeconds(),
  };
}

/**
 * Prints and returns what Redis costs per request: ours-redis against ours, round by round,
 * and what redis-server did from `before` to `after` the phase against the requests
 * ours-redis answered in it, warm-up included.
 */
export function redisCostOf(
  ours: TargetSummary,
  oursRedis: TargetSummary,
  before: RedisActivity,
  after: RedisActivity,
  oursRedisRequests: number,
): RedisCost {
  const requestsPerSecondRatioRounds = perRoundRatios(oursRedis, ours);
  const serverCpuMicrosPerRequestRounds = perRoundCpuDifferences(oursRedis, ours);
  const cost: RedisCost = {
    requestsPerSecondRatio: median(requestsPerSecondRatioRounds),
    requestsPerSecondRatioRounds,
    serverCpuMicrosPerRequest: median(serverCpuMicrosPerRequestRounds),
    serverCpuMicrosPerRequestRounds,
    redisServerCpuMicrosPerRequest:
      ((after.cpuSeconds - before.cpuSeconds) * 1e6) / oursRedisRequests,
    budgetCounts: after.budgetCounts - before.budgetCounts,
    commands: after.commands - before.commands,
    oursRedisRequests,
  };
  const sign = cost.serverCpuMicrosPerRequest >= 0 ? '+' : '';
  console.log(
    `  Redis cost per request: ${sign}${cost.serverCpuMicrosPerRequest.toFixed(0)} µs CPU in ` +
      'our server (ours-redis minus ours, median of per-round differences: ' +
      `${serverCpuMicrosPerRequestRounds.map((micros) => micros.toFixed(0)).join(' ')}), ` +
      `plus ${cost.redisServerCpuMicrosPerRequest.toFixed(0)} µs in redis-server; ` +
      `requests/s ours-redis / ours ${cost.requestsPerSecondRatio.toFixed(2)}x`,
  );
  const fewer = !(cost.budgetCounts >= oursRedisRequests)
    ? ' (FEWER: the others were counted in memory, not in Redis)'
    : '';
  console.log(
    `  redis-server counted ${cost.budgetCounts} budgets (${cost.commands} commands) for the ` +
      `${oursRedisRequests} requests ours-redis answered${fewer}`,
  );
  return cost;
}
