// The invite-redemption phase (issue 17: "redeeming an invite costs at most one store round
// trip more than /connection-details"). First, for information, POST /connection-details of
// ours (one process, the /token phase's server) as a guest redeeming an invite
// (X-Invite-Code) against the same request without one, in interleaved rounds: requests/s
// and CPU per request. Then the bound itself, counted in ours-redis's redis-server: round
// trips, script calls and commands per request, with one request in flight at a time.
import autocannon from 'autocannon';
import type { Request as AutocannonRequest } from 'autocannon';
import type { ChildServer } from './child-server';
import {
  CONNECTION_DETAILS_REQUEST_BODY,
  INVITE_CODE_HEADER,
  INVITE_MAX_USES,
  REQUEST_HEADERS,
  checkConnectionDetailsContract,
  checkInviteRedemptionContract,
  createInvites,
} from './contract';
import type { BenchRedis } from './redis-server';
import { printRatio, printRatioHeader, printSummary } from './report';
import {
  allErrors,
  column,
  median,
  NAME_WIDTH,
  perRoundCpuDifferences,
  perRoundRatios,
  requestsAnswered,
  ROUND_SECONDS,
  runRounds,
  summarize,
  WARM_UP_SECONDS,
} from './rounds';
import type { TargetSummary } from './rounds';

/** Measured rounds of each variant, after one warm-up each. */
export const INVITE_REDEMPTION_ROUNDS = 4;

/**
 * Invites made on ours before the rounds, INVITE_MAX_USES uses each: requests take their
 * codes in turn, and 600,000 uses outlast the phase's requests at 40,000 requests/s.
 */
const INVITES = 60;

/** Requests of each variant counted in Redis, sent one at a time (after the contract checks). */
const STORE_COUNT_REQUESTS = 2_000;

/** The bound: a redemption costs at most this many more store round trips. */
const MAX_EXTRA_ROUND_TRIPS = 1;

/** Seconds of load the phase adds (its Redis count, one request at a time, comes on top). */
export const INVITE_REDEMPTION_LOAD_SECONDS =
  2 * (WARM_UP_SECONDS + INVITE_REDEMPTION_ROUNDS * ROUND_SECONDS);

/** The two requests compared, both POST /connection-details with the same body. */
const DESCRIPTIONS = {
  plain: 'ours, POST /connection-details without an invite (the caller names the identity)',
  invite: 'ours, the same request with X-Invite-Code: a guest redeems an invite',
};
type Variant = keyof typeof DESCRIPTIONS;
const VARIANTS: readonly Variant[] = ['plain', 'invite'];

/**
 * A header as long as X-Invite-Code that the server ignores: plain requests carry the codes
 * in it, so that both variants send the same bytes and cost autocannon the same work (it
 * rebuilds every request that has a setupRequest). The ratio is then the server's.
 */
const IGNORED_CODE_HEADER = 'x-unused-code';

/** What one variant cost redis-server per request, with one request in flight at a time. */
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

/** The Redis count: each variant, and the invite's cost over the plain request's. */
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

/** What the phase found, or why it stopped. */
export type InviteRedemptionResult =
  | {
      failure: null;
      invites: number;
      targets: Record<Variant, TargetSummary>;
      /** Requests/s with an invite over without, median of the per-round ratios. */
      inviteOverPlain: number;
      inviteOverPlainRounds: number[];
      /** CPU µs per request with an invite minus without, median of per-round differences. */
      cpuMicrosPerRequestDifference: number;
      cpuMicrosPerRequestDifferenceRounds: number[];
      /** Errors of both variants, warm-ups included. */
      errors: number;
      storeCalls: StoreCallsResult;
    }
  | { failure: string };

/** Requests each server answered in the phase, for the access-log check. */
export interface InviteRedemptionAnswered {
  ours: number;
  oursRedis: number;
}

/** autocannon's `requests` for `variant`: each request carries the next of `codes` in turn. */
function requestsWithCodes(variant: Variant, codes: readonly string[]): AutocannonRequest[] {
  const header = variant === 'invite' ? INVITE_CODE_HEADER : IGNORED_CODE_HEADER;
  let next = 0;
  return [
    {
      setupRequest: (request) => {
        request.headers = { ...request.headers, [header]: codes[next % codes.length] ?? '' };
        next += 1;
        return request;
      },
    },
  ];
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `value` to `digits` decimals, with its sign: `+1.00`, `-12`. */
const signed = (value: number, digits: number) =>
  `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

/** `variant`'s cost per request in `redis`, over STORE_COUNT_REQUESTS sent one at a time. */
async function countStoreCalls(
  server: ChildServer,
  redis: BenchRedis,
  variant: Variant,
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
    requests: requestsWithCodes(variant, codes),
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

function printStoreCalls(result: StoreCallsResult): void {
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
  for (const variant of VARIANTS) {
    const calls = result[variant];
    row(variant, calls.roundTrips, calls.scriptCalls, calls.commands, String(calls.errors));
  }
  row('invite - plain', result.extraRoundTrips, result.extraScriptCalls, result.extraCommands);
  for (const variant of VARIANTS) {
    const commands = Object.entries(result[variant].byCommand)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([command, calls]) => `${command} ${calls.toFixed(2)}`)
      .join(', ');
    console.log(`  ${variant} runs: ${commands}`);
  }
}

/**
 * The Redis count on ours-redis: makes the invites it redeems, checks both requests against
 * their contracts (which also loads the redemption script), then counts each variant.
 */
async function runStoreCount(
  oursRedis: ChildServer,
  redis: BenchRedis,
  answered: InviteRedemptionAnswered,
): Promise<StoreCallsResult> {
  // The contract check's redemption and the count's.
  const count = Math.ceil((STORE_COUNT_REQUESTS + 1) / INVITE_MAX_USES);
  const codes = await createInvites(oursRedis.url, count);
  answered.oursRedis += count;
  await checkConnectionDetailsContract(oursRedis.url);
  answered.oursRedis += 1;
  await checkInviteRedemptionContract(oursRedis.url, codes[0] ?? '');
  answered.oursRedis += 1;
  const probeReads = await readsPerProbe(redis);
  const plain = await countStoreCalls(oursRedis, redis, 'plain', codes, probeReads);
  answered.oursRedis += plain.requests;
  const invite = await countStoreCalls(oursRedis, redis, 'invite', codes, probeReads);
  answered.oursRedis += invite.requests;
  return {
    skipped: null,
    plain,
    invite,
    extraRoundTrips: invite.roundTrips - plain.roundTrips,
    extraScriptCalls: invite.scriptCalls - plain.scriptCalls,
    extraCommands: invite.commands - plain.commands,
  };
}

/**
 * Runs the phase: invites made on ours as the room's host, a redemption checked against its
 * contract, the interleaved rounds, then the Redis count on `oursRedis` when there is one
 * (else `redisSkipped` says why). A failure is returned rather than thrown.
 */
export async function runInviteRedemptionPhase(
  ours: ChildServer,
  oursRedis: { server: ChildServer; redis: BenchRedis } | undefined,
  redisSkipped: string,
): Promise<{ result: InviteRedemptionResult; answered: InviteRedemptionAnswered }> {
  console.log(
    `\nPOST /connection-details redeeming an invite (X-Invite-Code) against the same request ` +
      `without one, on ours; ${INVITES} invites of ${INVITE_MAX_USES} uses, a code per request:`,
  );
  const answered: InviteRedemptionAnswered = { ours: 0, oursRedis: 0 };
  try {
    const codes = await createInvites(ours.url, INVITES);
    answered.ours += INVITES;
    await checkInviteRedemptionContract(ours.url, codes[0] ?? '').catch((error: unknown) => {
      throw new Error(`ours broke the invite-redemption contract: ${errorMessage(error)}`);
    });
    answered.ours += 1;
    console.log(`  ${'ours'.padEnd(NAME_WIDTH)} ${ours.url}  redemption contract OK`);

    const requests = {
      plain: requestsWithCodes('plain', codes),
      invite: requestsWithCodes('invite', codes),
    };
    const phase = await runRounds(
      VARIANTS,
      () => ours,
      '/connection-details',
      CONNECTION_DETAILS_REQUEST_BODY,
      INVITE_REDEMPTION_ROUNDS,
      { requestsFor: (variant) => requests[variant] },
    );
    answered.ours += requestsAnswered(phase, 'plain') + requestsAnswered(phase, 'invite');
    const targets = {
      plain: summarize(phase, 'plain', DESCRIPTIONS.plain),
      invite: summarize(phase, 'invite', DESCRIPTIONS.invite),
    };
    printSummary('/connection-details', INVITE_REDEMPTION_ROUNDS, VARIANTS, targets);
    const inviteOverPlainRounds = perRoundRatios(targets.invite, targets.plain);
    const inviteOverPlain = median(inviteOverPlainRounds);
    printRatioHeader();
    printRatio('invite / plain', inviteOverPlain, inviteOverPlainRounds);
    const cpuRounds = perRoundCpuDifferences(targets.invite, targets.plain);
    const cpuDifference = median(cpuRounds);
    console.log(
      `  CPU per request, invite - plain: ${signed(cpuDifference, 0)} µs ` +
        '(median of per-round differences: ' +
        `${cpuRounds.map((micros) => micros.toFixed(0)).join(' ')})`,
    );

    let storeCalls: StoreCallsResult = { skipped: redisSkipped };
    if (oursRedis !== undefined) {
      console.log(`\nStore round trips per request, counted in ours-redis's redis-server (INFO):`);
      storeCalls = await runStoreCount(oursRedis.server, oursRedis.redis, answered).catch(
        (error: unknown) => ({ skipped: `failed: ${errorMessage(error)}` }),
      );
    }
    printStoreCalls(storeCalls);
    return {
      result: {
        failure: null,
        invites: INVITES,
        targets,
        inviteOverPlain,
        inviteOverPlainRounds,
        cpuMicrosPerRequestDifference: cpuDifference,
        cpuMicrosPerRequestDifferenceRounds: cpuRounds,
        errors: allErrors(targets.plain) + allErrors(targets.invite),
        storeCalls,
      },
      answered,
    };
  } catch (error) {
    const failure = errorMessage(error);
    console.log(`  FAILED: ${failure}`);
    // Requests of a phase cut short go uncounted: too few expected log lines raise no alarm.
    return { result: { failure }, answered: { ours: 0, oursRedis: 0 } };
  }
}

/** The `--check` target of the phase: the bound, on Redis. */
export function inviteRoundTripVerdict(result: InviteRedemptionResult): {
  target: string;
  met: boolean;
  detail: string;
} {
  const target =
    `invite redemption: at most ${MAX_EXTRA_ROUND_TRIPS} Redis round trip more than ` +
    '/connection-details';
  if (result.failure !== null) return { target, met: false, detail: `failed: ${result.failure}` };
  const store = result.storeCalls;
  if (store.skipped !== null) return { target, met: false, detail: store.skipped };
  const errors = store.plain.errors + store.invite.errors;
  if (errors > 0)
    return { target, met: false, detail: `${errors} errors among the requests counted` };
  return {
    target,
    // To two decimals: a few stray reads in thousands of requests are not a round trip.
    met: Number(store.extraRoundTrips.toFixed(2)) <= MAX_EXTRA_ROUND_TRIPS,
    detail:
      `${store.extraRoundTrips.toFixed(2)} more (${store.invite.roundTrips.toFixed(2)} a ` +
      `redemption, ${store.plain.roundTrips.toFixed(2)} without)`,
  };
}

/** One line on the phase, for next to the verdict. */
export function describeInviteRedemption(result: InviteRedemptionResult): string {
  const label = 'invite redemption on /connection-details';
  if (result.failure !== null) return `${label}: FAILED: ${result.failure}`;
  const store = result.storeCalls;
  return (
    `${label}: ${result.inviteOverPlain.toFixed(2)}x the requests/s without an invite, ` +
    `${signed(result.cpuMicrosPerRequestDifference, 0)} µs CPU/req, ` +
    (store.skipped === null
      ? `${signed(store.extraRoundTrips, 2)} Redis round trips`
      : `Redis round trips ${store.skipped}`) +
    `; ${result.errors} errors${result.errors > 0 ? ' (ERRORS: see above)' : ''}`
  );
}
