// Issue 17's bound, counted: the store round trips, script calls and commands that POST
// /connection-details costs ours-redis with and without an invite to redeem, read from its
// redis-server's INFO around runs of requests sent one at a time.
import autocannon from 'autocannon';
import type { ChildServer } from './child-server';
import {
  CONNECTION_DETAILS_REQUEST_BODY,
  INVITE_MAX_USES,
  REQUEST_HEADERS,
  checkConnectionDetailsContract,
  checkInviteRedemptionContract,
  createInvites,
  requestsWithCodes,
} from './contract';
import type { BenchRedis } from './redis-server';
import { column } from './rounds';

/** Requests of each kind counted, sent one at a time (after the contract checks). */
const STORE_COUNT_REQUESTS = 2_000;

/** The bound: a redemption costs at most this many more store round trips. */
const MAX_EXTRA_ROUND_TRIPS = 1;

/** What one kind of request cost redis-server, per request, one request in flight at a time. */
export interface StoreCalls {
  requests: number;
  /** Non-2xx answers and connection errors: a refused request costs other round trips. */
  errors: number;
  /** Read events on redis-server's client sockets, the bench's own INFO taken out. */
  roundTrips: number;
  /** EVAL and EVALSHA calls. */
  scriptCalls: number;
  /** Every command run, those run inside scripts included. */
  commands: number;
  /** Calls of each command run, per request. */
  byCommand: Record<string, number>;
}

/** The count: each kind of request, and the invite's cost over the plain request's. */
export type StoreCallsResult =
  | {
      skipped: null;
      plain: StoreCalls;
      invite: StoreCalls;
      extraRoundTrips: number;
      extraScriptCalls: number;
      extraCommands: number;
    }
  | { skipped: string };

/** What the count found, and how many requests ours-redis answered for it. */
export interface StoreCount {
  result: StoreCallsResult;
  answered: number;
}

/** The cost per request in `redis` of STORE_COUNT_REQUESTS sent one at a time. */
async function countStoreCalls(
  server: ChildServer,
  redis: BenchRedis,
  redeem: boolean,
  codes: readonly string[],
  probeReads: number,
): Promise<StoreCalls> {
  const before = await redis.stats();
  const result = await autocannon({
    url: `${server.url}/connection-details`,
    method: 'POST',
    headers: REQUEST_HEADERS,
    body: JSON.stringify(CONNECTION_DETAILS_REQUEST_BODY),
    // One connection, one request at a time: no other request's commands share its round trips.
    connections: 1,
    amount: STORE_COUNT_REQUESTS,
    requests: requestsWithCodes(redeem, codes),
  });
  const after = await redis.stats();
  const requests = result.requests.total;
  const byCommand: Record<string, number> = {};
  for (const [command, calls] of after.commandCalls) {
    const made = calls - (before.commandCalls.get(command) ?? 0);
    if (command !== 'info' && made > 0) byCommand[command] = made / requests;
  }
  const sum = (commands: string[]) =>
    commands.reduce((total, command) => total + (byCommand[command] ?? 0), 0);
  return {
    requests,
    errors: result.errors + result.non2xx,
    roundTrips: (after.readsProcessed - before.readsProcessed - probeReads) / requests,
    scriptCalls: sum(['eval', 'evalsha']),
    commands: sum(Object.keys(byCommand)),
    byCommand,
  };
}

/** Read events one INFO of the bench's costs between two others: the INFO and its close. */
async function readsPerProbe(redis: BenchRedis): Promise<number> {
  const first = await redis.stats();
  const second = await redis.stats();
  return second.readsProcessed - first.readsProcessed;
}

/** Prints the count as a table, then the commands each kind of request runs. */
export function printStoreCalls(result: StoreCallsResult): void {
  if (result.skipped !== null) {
    console.log(`  Redis count: ${result.skipped}`);
    return;
  }
  console.log(
    `\n  per request, ${STORE_COUNT_REQUESTS} one at a time   round trips   script calls   ` +
      "commands (scripts' own included)   errors",
  );
  const row = (label: string, roundTrips: number, scripts: number, commands: number, errors = '') =>
    console.log(
      `  ${label.padEnd(36)} ${column(roundTrips.toFixed(2), 11)}   ${column(scripts.toFixed(2), 12)}` +
        `   ${column(commands.toFixed(2), 33)}   ${column(errors, 6)}`,
    );
  for (const kind of ['plain', 'invite'] as const) {
    const calls = result[kind];
    row(kind, calls.roundTrips, calls.scriptCalls, calls.commands, String(calls.errors));
  }
  row('invite - plain', result.extraRoundTrips, result.extraScriptCalls, result.extraCommands);
  for (const kind of ['plain', 'invite'] as const) {
    const commands = Object.entries(result[kind].byCommand)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([command, calls]) => `${command} ${calls.toFixed(2)}`)
      .join(', ');
    console.log(`  ${kind} runs: ${commands}`);
  }
}

/**
 * The count on ours-redis: makes the invites it redeems, checks both requests against their
 * contracts (which also loads the redemption script), then counts each kind. A failure is
 * returned as the reason it was skipped.
 */
export async function countInviteRoundTrips(
  oursRedis: ChildServer,
  redis: BenchRedis,
): Promise<StoreCount> {
  let answered = 0;
  try {
    // The contract check's redemption and the count's.
    const count = Math.ceil((STORE_COUNT_REQUESTS + 1) / INVITE_MAX_USES);
    const codes = await createInvites(oursRedis.url, count);
    answered += count;
    await checkConnectionDetailsContract(oursRedis.url);
    answered += 1;
    await checkInviteRedemptionContract(oursRedis.url, codes[0] ?? '');
    answered += 1;
    const probeReads = await readsPerProbe(redis);
    const plain = await countStoreCalls(oursRedis, redis, false, codes, probeReads);
    answered += plain.requests;
    const invite = await countStoreCalls(oursRedis, redis, true, codes, probeReads);
    answered += invite.requests;
    const result: StoreCallsResult = {
      skipped: null,
      plain,
      invite,
      extraRoundTrips: invite.roundTrips - plain.roundTrips,
      extraScriptCalls: invite.scriptCalls - plain.scriptCalls,
      extraCommands: invite.commands - plain.commands,
    };
    return { result, answered };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { result: { skipped: `failed: ${reason}` }, answered };
  }
}

/** The `--check` target: the bound, on Redis; `failure` when the phase stopped. */
export function roundTripVerdict(store: StoreCallsResult | { failure: string }): {
  target: string;
  met: boolean;
  detail: string;
} {
  const target =
    `invite redemption: at most ${MAX_EXTRA_ROUND_TRIPS} Redis round trip more than ` +
    '/connection-details';
  if ('failure' in store) return { target, met: false, detail: `failed: ${store.failure}` };
  if (store.skipped !== null) return { target, met: false, detail: store.skipped };
  const errors = store.plain.errors + store.invite.errors;
  if (errors > 0) {
    return { target, met: false, detail: `${errors} errors among the requests counted` };
  }
  return {
    target,
    // To two decimals: a few stray reads in thousands of requests are not a round trip.
    met: Number(store.extraRoundTrips.toFixed(2)) <= MAX_EXTRA_ROUND_TRIPS,
    detail:
      `${store.extraRoundTrips.toFixed(2)} more (${store.invite.roundTrips.toFixed(2)} a ` +
      `redemption, ${store.plain.roundTrips.toFixed(2)} without)`,
  };
}
