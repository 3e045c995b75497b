// Driving targets with autocannon in interleaved rounds, and summarising what they did:
// requests/s, p99, server CPU per request and errors, per round and as medians.
import autocannon from 'autocannon';
import type { Request as AutocannonRequest } from 'autocannon';
import type { ChildServer } from './child-server';
import { REQUEST_HEADERS } from './contract';

/** Concurrent keep-alive connections autocannon holds open to the target. */
export const CONNECTIONS = 32;
export const ROUND_SECONDS = 3;
/** One unmeasured round per target first, so each runs JIT-compiled code when measured. */
export const WARM_UP_SECONDS = 2;
/** Width of the target column: the longest name, `ours-workers`. */
export const NAME_WIDTH = 20;

/** One autocannon run against one target. */
export interface RoundResult {
  requestsPerSecond: number;
  p99Ms: number;
  /** Connection errors and timeouts plus non-2xx answers. */
  errors: number;
  requests: number;
  /** Server CPU time per answered request (workers included), in microseconds. */
  cpuMicrosPerRequest: number;
}

export interface TargetSummary {
  description: string;
  medianRequestsPerSecond: number;
  medianP99Ms: number;
  medianCpuMicrosPerRequest: number;
  /** Errors over the measured rounds. */
  errors: number;
  warmUpErrors: number;
  rounds: RoundResult[];
}

/** How a phase drives its targets, beyond the path and body every request has. */
export interface RoundOptions<Name extends string> {
  /** autocannon's `requests` for a target, e.g. a `setupRequest` giving each its own header. */
  requestsFor?: (name: Name) => AutocannonRequest[];
}

/** The warm-up and the measured rounds of one phase, per target. */
export interface PhaseRounds<Name extends string> {
  warmUps: Map<Name, RoundResult>;
  rounds: Map<Name, RoundResult[]>;
}

/**
 * POSTs `body` as JSON to `requestPath` of `server` for `seconds`, from CONNECTIONS
 * connections; `requests`, when given, as autocannon's own option.
 */
async function drive(
  server: ChildServer,
  requestPath: string,
  body: object,
  seconds: number,
  requests?: AutocannonRequest[],
): Promise<RoundResult> {
  const cpuBefore = server.cpuSeconds();
  const result = await autocannon({
    url: `${server.url}${requestPath}`,
    method: 'POST',
    headers: REQUEST_HEADERS,
    body: JSON.stringify(body),
    connections: CONNECTIONS,
    duration: seconds,
    ...(requests === undefined ? {} : { requests }),
  });
  if (server.exited() !== undefined) {
    throw new Error(
      `${server.name} exited during the round (${server.exited()}):\n${server.stderrTail()}`,
    );
  }
  return {
    // Total over elapsed time: a short round has too few per-second samples to average.
    requestsPerSecond: result.requests.total / result.duration,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
    requests: result.requests.total,
    cpuMicrosPerRequest: ((server.cpuSeconds() - cpuBefore) * 1e6) / result.requests.total,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] ?? NaN;
  return ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** Right-aligns a value in a column `width` characters wide. */
export function column(value: string | number, width: number): string {
  return String(value).padStart(width);
}

function formatRound(name: string, label: string, round: RoundResult): string {
  return [
    `  ${label.padEnd(9)} ${name.padEnd(NAME_WIDTH)} ${column(Math.round(round.requestsPerSecond), 7)} req/s`,
    `p99 ${column(round.p99Ms, 4)} ms`,
    `${column(Math.round(round.cpuMicrosPerRequest), 4)} µs CPU/req`,
    `${round.errors} errors`,
  ].join('   ');
}

/**
 * Drives each target with POSTs of `body` to `requestPath`: one warm-up each, then
 * `roundCount` rounds in which every target takes a turn.
 */
export async function runRounds<Name extends string>(
  names: readonly Name[],
  serverFor: (name: Name) => ChildServer,
  requestPath: string,
  body: object,
  roundCount: number,
  options: RoundOptions<Name> = {},
): Promise<PhaseRounds<Name>> {
  const requestsFor = options.requestsFor ?? (() => undefined);
  console.log(
    `\nWarm-up, ${WARM_UP_SECONDS} s each; then ${roundCount} rounds of ${ROUND_SECONDS} s:`,
  );
  const warmUps = new Map<Name, RoundResult>();
  for (const name of names) {
    const round = await drive(
      serverFor(name),
      requestPath,
      body,
      WARM_UP_SECONDS,
      requestsFor(name),
    );
    warmUps.set(name, round);
    console.log(formatRound(name, 'warm-up', round));
  }
  const rounds = new Map<Name, RoundResult[]>(names.map((name) => [name, []]));
  for (let index = 0; index < roundCount; index += 1) {
    // Each round starts with the next target, so no target always runs first (or last).
    const order = [...names.slice(index % names.length), ...names.slice(0, index % names.length)];
    for (const name of order) {
      const round = await drive(
        serverFor(name),
        requestPath,
        body,
        ROUND_SECONDS,
        requestsFor(name),
      );
      rounds.get(name)?.push(round);
      console.log(formatRound(name, `round ${index + 1}`, round));
    }
  }
  return { warmUps, rounds };
}

/** Requests one target answered in a phase, warm-up included. */
export function requestsAnswered<Name extends string>(
  phase: PhaseRounds<Name>,
  name: Name,
): number {
  const rounds = [phase.warmUps.get(name), ...(phase.rounds.get(name) ?? [])];
  return rounds.reduce((sum, round) => sum + (round?.requests ?? 0), 0);
}

export function summarize<Name extends string>(
  phase: PhaseRounds<Name>,
  name: Name,
  description: string,
): TargetSummary {
  const rounds = phase.rounds.get(name) ?? [];
  return {
    description,
    medianRequestsPerSecond: median(rounds.map((round) => round.requestsPerSecond)),
    medianP99Ms: median(rounds.map((round) => round.p99Ms)),
    medianCpuMicrosPerRequest: median(rounds.map((round) => round.cpuMicrosPerRequest)),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    warmUpErrors: phase.warmUps.get(name)?.errors ?? 0,
    rounds,
  };
}

/** One target's requests/s over the other's, round by round (both ran in each round). */
export function perRoundRatios(target: TargetSummary, other: TargetSummary): number[] {
  return target.rounds.map(
    (round, index) => round.requestsPerSecond / (other.rounds[index]?.requestsPerSecond ?? NaN),
  );
}

/** One target's CPU µs per request minus the other's, round by round. */
export function perRoundCpuDifferences(target: TargetSummary, other: TargetSummary): number[] {
  return target.rounds.map(
    (round, index) => round.cpuMicrosPerRequest - (other.rounds[index]?.cpuMicrosPerRequest ?? NaN),
  );
}

/** Errors of one target over a phase, warm-up included. */
export function allErrors(summary: TargetSummary): number {
  return summary.errors + summary.warmUpErrors;
}
