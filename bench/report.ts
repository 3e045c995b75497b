// The bench's tables: sign and verify times, the per-target summary of a phase, and ratios.
import { allErrors, column, CONNECTIONS, NAME_WIDTH, ROUND_SECONDS } from './rounds';
import type { TargetSummary } from './rounds';
import type { SignVerifyResult } from './sign-verify';

export function printSignVerify(result: SignVerifyResult): void {
  console.log(`\nSign and verify, µs per token (${result.tokens} tokens each, one at a time):`);
  console.log('  implementation            sign   verify');
  for (const [label, times] of [
    ['ours (grants.ts)', result.ours],
    ['livekit-server-sdk', result.sdk],
  ] as const) {
    const sign = column(times.signMicros.toFixed(1), 7);
    console.log(`  ${label.padEnd(22)} ${sign} ${column(times.verifyMicros.toFixed(1), 8)}`);
  }
}

export function printSummary<Name extends string>(
  requestPath: string,
  roundCount: number,
  names: readonly Name[],
  summaries: Partial<Record<Name, TargetSummary>>,
): void {
  const rounds = `${roundCount} interleaved ${ROUND_SECONDS} s rounds`;
  console.log(`\nHTTP POST ${requestPath}, ${CONNECTIONS} connections, medians of ${rounds}:`);
  console.log(
    `  ${'target'.padEnd(NAME_WIDTH)}    req/s   p99 ms   CPU µs/req   errors   description`,
  );
  for (const name of names) {
    const summary = summaries[name];
    if (summary === undefined) continue;
    const cells = [
      column(Math.round(summary.medianRequestsPerSecond), 8),
      column(summary.medianP99Ms, 8),
      column(Math.round(summary.medianCpuMicrosPerRequest), 12),
      column(allErrors(summary), 8),
    ];
    console.log(`  ${name.padEnd(NAME_WIDTH)} ${cells.join(' ')}   ${summary.description}`);
  }
}

export function formatRatios(ratios: number[]): string {
  return ratios.map((ratio) => ratio.toFixed(2)).join(' ');
}

/** Prints the header of a ratio table, whose rows come from printRatio. */
export function printRatioHeader(): void {
  console.log(`\n  ${'ratio of requests/s'.padEnd(27)} median   per round`);
}

/** Prints one row of a ratio table: `label`, the median of `ratios`, then each of them. */
export function printRatio(label: string, median: number, ratios: number[]): void {
  console.log(`  ${label.padEnd(27)} ${median.toFixed(2)}x    ${formatRatios(ratios)}`);
}

/** Prints ours' CPU per request over the SDK reference's, and returns it. */
export function printCpuRatio(ours: TargetSummary, sdk: TargetSummary): number {
  // The same comparison by server CPU per request, which other load on the machine barely moves.
  const cpuOursOverSdk = ours.medianCpuMicrosPerRequest / sdk.medianCpuMicrosPerRequest;
  console.log(
    `  CPU per request, ours / sdk: ${cpuOursOverSdk.toFixed(2)}x (below 1: ours is cheaper)`,
  );
  return cpuOursOverSdk;
}
