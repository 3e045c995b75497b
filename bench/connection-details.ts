// The informational phase: POST /connection-details of ours (one process) and of the SDK
// reference, each checked against its contract, then driven like /token. It is reported,
// errors included, but not judged: the targets are on /token.
import type { ChildServer } from './child-server';
import {
  CONNECTION_DETAILS_REQUEST_BODY,
  REQUEST_HEADERS,
  checkConnectionDetailsContract,
} from './contract';
import { printCpuRatio, printRatio, printRatioHeader, printSummary } from './report';
import {
  allErrors,
  median,
  NAME_WIDTH,
  perRoundRatios,
  requestsAnswered,
  runRounds,
  summarize,
} from './rounds';
import type { TargetSummary } from './rounds';

/** Measured rounds per target of this phase, which is only informational. */
export const CONNECTION_DETAILS_ROUNDS = 4;

/** What each target of the phase runs; the other targets of /token take no part. */
const DESCRIPTIONS = {
  ours: 'server/dist/index.js, the same process as for /token',
  sdk: "LiveKit docs' standard token endpoint with AccessToken",
};
type ConnectionDetailsTargetName = keyof typeof DESCRIPTIONS;
const TARGETS: readonly ConnectionDetailsTargetName[] = ['ours', 'sdk'];

/** What the phase found: summaries and ratios, or why it stopped. */
export type ConnectionDetailsResult =
  | {
      failure: null;
      targets: Record<ConnectionDetailsTargetName, TargetSummary>;
      oursOverSdk: number;
      oursOverSdkRounds: number[];
      cpuOursOverSdk: number;
      /** Errors of both targets, warm-ups included. */
      errors: number;
    }
  | { failure: string };

/**
 * Checks ours and the SDK reference against the /connection-details contract, then drives
 * and summarises them. Returns what it found and how many requests ours answered. A failure
 * is returned rather than thrown: the verdict is on /token alone.
 */
export async function runConnectionDetailsPhase(
  serverFor: (name: ConnectionDetailsTargetName) => ChildServer,
): Promise<{ result: ConnectionDetailsResult; oursAnswered: number }> {
  console.log(
    '\nPOST /connection-details, for information only (the targets are on /token); ' +
      'ours and sdk, each checked against its contract:',
  );
  try {
    for (const name of TARGETS) {
      const server = serverFor(name);
      const allowedOrigin = await checkConnectionDetailsContract(server.url).catch(
        (error: unknown) => {
          throw new Error(`${name} broke the /connection-details contract: ${String(error)}`);
        },
      );
      if (name === 'ours' && allowedOrigin !== REQUEST_HEADERS.origin) {
        throw new Error(
          `ours answered /connection-details without CORS for ${REQUEST_HEADERS.origin}`,
        );
      }
      console.log(`  ${name.padEnd(NAME_WIDTH)} ${server.url}  contract OK`);
    }

    const phase = await runRounds(
      TARGETS,
      serverFor,
      '/connection-details',
      CONNECTION_DETAILS_REQUEST_BODY,
      CONNECTION_DETAILS_ROUNDS,
    );
    const targets = {
      ours: summarize(phase, 'ours', DESCRIPTIONS.ours),
      sdk: summarize(phase, 'sdk', DESCRIPTIONS.sdk),
    };
    printSummary('/connection-details', CONNECTION_DETAILS_ROUNDS, TARGETS, targets);
    const oursOverSdkRounds = perRoundRatios(targets.ours, targets.sdk);
    const oursOverSdk = median(oursOverSdkRounds);
    printRatioHeader();
    printRatio('ours / sdk', oursOverSdk, oursOverSdkRounds);
    const cpuOursOverSdk = printCpuRatio(targets.ours, targets.sdk);
    const errors = allErrors(targets.ours) + allErrors(targets.sdk);
    return {
      result: { failure: null, targets, oursOverSdk, oursOverSdkRounds, cpuOursOverSdk, errors },
      // The contract check's request, then the phase's.
      oursAnswered: 1 + requestsAnswered(phase, 'ours'),
    };
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    console.log(`  FAILED: ${failure}`);
    // Requests of a phase cut short go uncounted: too few expected log lines raise no alarm.
    return { result: { failure }, oursAnswered: 0 };
  }
}

/** One line on the /connection-details phase, for next to the verdict. */
export function describeConnectionDetails(result: ConnectionDetailsResult): string {
  const label = '/connection-details (informational, not judged)';
  if (result.failure !== null) return `${label}: FAILED: ${result.failure}`;
  const { ours, sdk } = result.targets;
  return (
    `${label}: ours at ${result.oursOverSdk.toFixed(2)}x the SDK reference's requests/s, ` +
    `${result.errors} errors (ours ${allErrors(ours)}, sdk ${allErrors(sdk)})` +
    `${result.errors > 0 ? ' (ERRORS: see above)' : ''}`
  );
}
