// The invite-redemption phase (issue 17: "redeeming an invite costs at most one store round
// trip more than /connection-details"). First, for information, POST /connection-details of
// ours (one process, the /token phase's server) as a guest redeeming an invite
// (X-Invite-Code) against the same request without one, in interleaved rounds: requests/s
// and CPU per request. Then the bound itself, counted on ours-redis (invite-round-trips.ts).
import type { ChildServer } from './child-server';
import {
  CONNECTION_DETAILS_REQUEST_BODY,
  INVITE_MAX_USES,
  checkInviteRedemptionContract,
  createInvites,
  requestsWithCodes,
} from './contract';
import { countInviteRoundTrips, printStoreCalls, roundTripVerdict } from './invite-round-trips';
import type { StoreCallsResult } from './invite-round-trips';
import type { BenchRedis } from './redis-server';
import { printRatio, printRatioHeader, printSummary } from './report';
import {
  allErrors,
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

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `value` to `digits` decimals, with its sign: `+1.00`, `-12`. */
const signed = (value: number, digits: number) =>
  `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

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
      plain: requestsWithCodes(false, codes),
      invite: requestsWithCodes(true, codes),
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
      const count = await countInviteRoundTrips(oursRedis.server, oursRedis.redis);
      storeCalls = count.result;
      answered.oursRedis += count.answered;
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
  return roundTripVerdict(result.failure === null ? result.storeCalls : result);
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
