// `npm run bench`: times sign and verify per token, then drives our server and two
// reference servers (a bare Express endpoint and the SDK-based /token from LiveKit's docs)
// with autocannon on loopback, in interleaved rounds, and checks our server reaches
// TARGET_RATIO of the SDK reference's requests/s (median of the per-round ratios) with zero
// errors. A second phase then drives POST /connection-details of ours and the SDK reference
// the same way, for information only: it is reported, errors included, but not judged.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { killAllChildServers, removeServerOutput, startChildServer } from './child-server';
import type { ChildServer } from './child-server';
import {
  BENCH_KEY,
  BENCH_LIVEKIT_URL,
  CONNECTION_DETAILS_REQUEST_BODY,
  REQUEST_HEADERS,
  TOKEN_REQUEST_BODY,
  TOKEN_TTL_SECONDS,
  checkConnectionDetailsContract,
  checkTokenContract,
} from './contract';
import type { ContractCheck } from './contract';
import { benchSignVerify } from './sign-verify';
import type { SignVerifyResult } from './sign-verify';

/** Concurrent keep-alive connections autocannon holds open to the target. */
const CONNECTIONS = 32;
/**
 * Measured rounds per target. Targets take turns within each round (the first rotates),
 * and ratios are taken per round, between runs seconds apart: on the shared 2-core VM a
 * target's requests/s swings by ±30% between rounds, so short paired rounds beat long ones.
 * Even so, the SDK reference measured against itself lands between 0.8x and 1.15x.
 */
const ROUNDS = 8;
/** Measured rounds per target of the /connection-details phase, which is only informational. */
const CONNECTION_DETAILS_ROUNDS = 4;
const ROUND_SECONDS = 3;
/** One unmeasured round per target first, so each runs JIT-compiled code when measured. */
const WARM_UP_SECONDS = 2;
/** Tokens signed and verified per implementation in the micro-benchmark. */
const SIGN_VERIFY_TOKENS = 20_000;
/** Our /token must reach this fraction of the SDK reference's requests/s. */
const TARGET_RATIO = 0.9;
/** The whole bench (after the build) gives up past this, killing every server. */
const DEADLINE_MS = 180_000;

const REPO_ROOT = path.resolve(__dirname, '..');
const RESULTS_FILE = path.join(__dirname, 'results', 'latest.json');

type TargetName = 'ours' | 'sdk' | 'bare';

/** What each target of the /connection-details phase runs; bare has no such route. */
const CONNECTION_DETAILS_DESCRIPTIONS = {
  ours: 'server/dist/index.js, the same process as for /token',
  sdk: "LiveKit docs' standard token endpoint with AccessToken",
} satisfies Partial<Record<TargetName, string>>;
type ConnectionDetailsTargetName = keyof typeof CONNECTION_DETAILS_DESCRIPTIONS;
const CONNECTION_DETAILS_TARGETS: readonly ConnectionDetailsTargetName[] = ['ours', 'sdk'];

interface Target {
  name: TargetName;
  description: string;
  check: ContractCheck;
  start(): Promise<ChildServer>;
}

/** One autocannon run against one target. */
interface RoundResult {
  requestsPerSecond: number;
  p99Ms: number;
  /** Connection errors and timeouts plus non-2xx answers. */
  errors: number;
  requests: number;
  /** Server CPU time per answered request, in microseconds. */
  cpuMicrosPerRequest: number;
}

interface TargetSummary {
  description: string;
  medianRequestsPerSecond: number;
  medianP99Ms: number;
  medianCpuMicrosPerRequest: number;
  /** Errors over the measured rounds. */
  errors: number;
  warmUpErrors: number;
  rounds: RoundResult[];
}

/** The warm-up and the measured rounds of one phase, per target. */
interface PhaseRounds<Name extends TargetName> {
  warmUps: Map<Name, RoundResult>;
  rounds: Map<Name, RoundResult[]>;
}

/** What the /connection-details phase found: summaries and ratios, or why it stopped. */
type ConnectionDetailsResult =
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
 * The environment every server starts with: this one minus anything that changes defaults,
 * plus the bench's key and LiveKit URL (which /connection-details needs).
 */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NODE_ENV', 'CORS_ORIGINS', 'LIVEKIT_URL', 'TOKEN_EXPIRY_HOURS']) {
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

const targets: Target[] = [
  {
    name: 'ours',
    description: 'server/dist/index.js (CORS, helmet, rate limit, validation, access log)',
    check: 'signed-token',
    start: () =>
      startChildServer(
        'ours',
        process.execPath,
        [path.join(REPO_ROOT, 'server', 'dist', 'index.js')],
        serverEnv({
          TOKEN_SERVER_PORT: '0',
          TOKEN_SERVER_HOST: '127.0.0.1',
          TOKEN_EXPIRY_HOURS: String(TOKEN_TTL_SECONDS / 3600),
          // The limiter stays on, so its cost is measured, with a budget the load never spends.
          RATE_LIMIT_PER_MINUTE: '100000000',
        }),
        REPO_ROOT,
      ),
  },
  {
    name: 'sdk',
    description: "LiveKit docs' /token with AccessToken",
    check: 'signed-token',
    start: () => startReference('reference-sdk.ts', 'sdk'),
  },
  {
    name: 'bare',
    description: 'Express answering a constant JSON',
    check: 'constant',
    start: () => startReference('reference-bare.ts', 'bare'),
  },
];

/** POSTs `body` as JSON to `requestPath` of `server` for `seconds`, from CONNECTIONS connections. */
async function drive(
  server: ChildServer,
  requestPath: string,
  body: object,
  seconds: number,
): Promise<RoundResult> {
  const cpuBefore = server.cpuSeconds();
  const result = await autocannon({
    url: `${server.url}${requestPath}`,
    method: 'POST',
    headers: REQUEST_HEADERS,
    body: JSON.stringify(body),
    connections: CONNECTIONS,
    duration: seconds,
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] ?? NaN;
  return ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** Right-aligns a value in a column `width` characters wide. */
function column(value: string | number, width: number): string {
  return String(value).padStart(width);
}

function formatRound(name: string, label: string, round: RoundResult): string {
  return [
    `  ${label.padEnd(9)} ${name.padEnd(5)} ${column(Math.round(round.requestsPerSecond), 7)} req/s`,
    `p99 ${column(round.p99Ms, 4)} ms`,
    `${column(Math.round(round.cpuMicrosPerRequest), 4)} µs CPU/req`,
    `${round.errors} errors`,
  ].join('   ');
}

function printSignVerify(result: SignVerifyResult): void {
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

function printSummary<Name extends TargetName>(
  requestPath: string,
  roundCount: number,
  names: readonly Name[],
  summaries: Record<Name, TargetSummary>,
): void {
  const rounds = `${roundCount} interleaved ${ROUND_SECONDS} s rounds`;
  console.log(`\nHTTP POST ${requestPath}, ${CONNECTIONS} connections, medians of ${rounds}:`);
  console.log('  target    req/s   p99 ms   CPU µs/req   errors   description');
  for (const name of names) {
    const summary = summaries[name];
    const cells = [
      column(Math.round(summary.medianRequestsPerSecond), 8),
      column(summary.medianP99Ms, 8),
      column(Math.round(summary.medianCpuMicrosPerRequest), 12),
      column(summary.errors + summary.warmUpErrors, 8),
    ];
    console.log(`  ${name.padEnd(5)} ${cells.join(' ')}   ${summary.description}`);
  }
}

/**
 * Drives each target with POSTs of `body` to `requestPath`: one warm-up each, then
 * `roundCount` rounds in which every target takes a turn.
 */
async function runRounds<Name extends TargetName>(
  names: readonly Name[],
  serverFor: (name: Name) => ChildServer,
  requestPath: string,
  body: object,
  roundCount: number,
): Promise<PhaseRounds<Name>> {
  console.log(
    `\nWarm-up, ${WARM_UP_SECONDS} s each; then ${roundCount} rounds of ${ROUND_SECONDS} s:`,
  );
  const warmUps = new Map<Name, RoundResult>();
  for (const name of names) {
    const round = await drive(serverFor(name), requestPath, body, WARM_UP_SECONDS);
    warmUps.set(name, round);
    console.log(formatRound(name, 'warm-up', round));
  }
  const rounds = new Map<Name, RoundResult[]>(names.map((name) => [name, []]));
  for (let index = 0; index < roundCount; index += 1) {
    // Each round starts with the next target, so no target always runs first (or last).
    const order = [...names.slice(index % names.length), ...names.slice(0, index % names.length)];
    for (const name of order) {
      const round = await drive(serverFor(name), requestPath, body, ROUND_SECONDS);
      rounds.get(name)?.push(round);
      console.log(formatRound(name, `round ${index + 1}`, round));
    }
  }
  return { warmUps, rounds };
}

/** Requests one target answered in a phase, warm-up included. */
function requestsAnswered<Name extends TargetName>(phase: PhaseRounds<Name>, name: Name): number {
  const rounds = [phase.warmUps.get(name), ...(phase.rounds.get(name) ?? [])];
  return rounds.reduce((sum, round) => sum + (round?.requests ?? 0), 0);
}

function summarize<Name extends TargetName>(
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

/** Ours' requests/s over the other target's, round by round. */
function perRoundRatios(ours: TargetSummary, other: TargetSummary): number[] {
  return ours.rounds.map(
    (round, index) => round.requestsPerSecond / (other.rounds[index]?.requestsPerSecond ?? NaN),
  );
}

function formatRatios(ratios: number[]): string {
  return ratios.map((ratio) => ratio.toFixed(2)).join(' ');
}

/** Prints ours' CPU per request over the SDK reference's, and returns it. */
function printCpuRatio(ours: TargetSummary, sdk: TargetSummary): number {
  // The same comparison by server CPU per request, which other load on the machine barely moves.
  const cpuOursOverSdk = ours.medianCpuMicrosPerRequest / sdk.medianCpuMicrosPerRequest;
  console.log(
    `  CPU per request, ours / sdk: ${cpuOursOverSdk.toFixed(2)}x (below 1: ours is cheaper)`,
  );
  return cpuOursOverSdk;
}

/**
 * The informational phase: checks ours and the SDK reference against the /connection-details
 * contract, then drives and summarises them. Returns what it found and how many requests ours
 * answered. A failure is returned rather than thrown: the verdict is on /token alone.
 */
async function runConnectionDetailsPhase(
  serverFor: (name: TargetName) => ChildServer,
): Promise<{ result: ConnectionDetailsResult; oursAnswered: number }> {
  console.log(
    '\nPOST /connection-details, for information only (the verdict is on /token); ' +
      'ours and sdk, each checked against its contract:',
  );
  try {
    for (const name of CONNECTION_DETAILS_TARGETS) {
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
      console.log(`  ${name.padEnd(5)} ${server.url}  contract OK`);
    }

    const phase = await runRounds(
      CONNECTION_DETAILS_TARGETS,
      serverFor,
      '/connection-details',
      CONNECTION_DETAILS_REQUEST_BODY,
      CONNECTION_DETAILS_ROUNDS,
    );
    const targets = {
      ours: summarize(phase, 'ours', CONNECTION_DETAILS_DESCRIPTIONS.ours),
      sdk: summarize(phase, 'sdk', CONNECTION_DETAILS_DESCRIPTIONS.sdk),
    };
    printSummary(
      '/connection-details',
      CONNECTION_DETAILS_ROUNDS,
      CONNECTION_DETAILS_TARGETS,
      targets,
    );
    const oursOverSdkRounds = perRoundRatios(targets.ours, targets.sdk);
    const oursOverSdk = median(oursOverSdkRounds);
    console.log('\n  ratio        median   per round');
    console.log(`  ours / sdk   ${oursOverSdk.toFixed(2)}x    ${formatRatios(oursOverSdkRounds)}`);
    const cpuOursOverSdk = printCpuRatio(targets.ours, targets.sdk);
    const errors = CONNECTION_DETAILS_TARGETS.reduce(
      (sum, name) => sum + targets[name].errors + targets[name].warmUpErrors,
      0,
    );
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
function describeConnectionDetails(result: ConnectionDetailsResult): string {
  const label = '/connection-details (informational, not in the verdict)';
  if (result.failure !== null) return `${label}: FAILED: ${result.failure}`;
  const { ours, sdk } = result.targets;
  return (
    `${label}: ours at ${result.oursOverSdk.toFixed(2)}x the SDK reference's requests/s, ` +
    `${result.errors} errors (ours ${ours.errors + ours.warmUpErrors}, ` +
    `sdk ${sdk.errors + sdk.warmUpErrors})${result.errors > 0 ? ' (ERRORS: see above)' : ''}`
  );
}

async function main(): Promise<number> {
  console.log(
    `Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})`,
  );

  const signVerify = await benchSignVerify(SIGN_VERIFY_TOKENS);
  printSignVerify(signVerify);

  console.log('\nServers on loopback, each checked against the /token contract:');
  const servers = new Map<TargetName, ChildServer>();
  for (const target of targets) {
    const server = await target.start();
    servers.set(target.name, server);
    const allowedOrigin = await checkTokenContract(server.url, target.check).catch(
      (error: unknown) => {
        throw new Error(`${target.name} broke the /token contract: ${String(error)}`);
      },
    );
    if (target.name === 'ours' && allowedOrigin !== REQUEST_HEADERS.origin) {
      throw new Error(`ours answered without CORS for ${REQUEST_HEADERS.origin}`);
    }
    console.log(`  ${target.name.padEnd(5)} ${server.url}  contract OK`);
  }
  const serverFor = (name: TargetName): ChildServer => {
    const server = servers.get(name);
    if (!server) throw new Error(`${name} is not running`);
    return server;
  };

  const targetNames = targets.map((target) => target.name);
  const tokenPhase = await runRounds(targetNames, serverFor, '/token', TOKEN_REQUEST_BODY, ROUNDS);
  const summaries = Object.fromEntries(
    targets.map((target): [TargetName, TargetSummary] => [
      target.name,
      summarize(tokenPhase, target.name, target.description),
    ]),
  ) as Record<TargetName, TargetSummary>;
  printSummary('/token', ROUNDS, targetNames, summaries);

  const oursOverSdkRounds = perRoundRatios(summaries.ours, summaries.sdk);
  const oursOverBareRounds = perRoundRatios(summaries.ours, summaries.bare);
  const oursOverSdk = median(oursOverSdkRounds);
  const oursOverBare = median(oursOverBareRounds);
  const oursErrors = summaries.ours.errors + summaries.ours.warmUpErrors;
  console.log('\n  ratio        median   per round');
  console.log(`  ours / sdk   ${oursOverSdk.toFixed(2)}x    ${formatRatios(oursOverSdkRounds)}`);
  console.log(`  ours / bare  ${oursOverBare.toFixed(2)}x    ${formatRatios(oursOverBareRounds)}`);
  const cpuOursOverSdk = printCpuRatio(summaries.ours, summaries.sdk);

  const connectionDetails = await runConnectionDetailsPhase(serverFor);

  const exits = new Map<TargetName, string>();
  for (const [name, server] of servers) exits.set(name, await server.stop());

  // Ours answered both contract checks too; every answered request should leave a log line.
  // autocannon drops requests still in flight when a round ends, so ours may log a few more.
  const oursAnswered = 1 + requestsAnswered(tokenPhase, 'ours') + connectionDetails.oursAnswered;
  const accessLogLines = serverFor('ours').jsonLines();
  const oursExit = exits.get('ours') ?? 'unknown';
  const missingLogs = accessLogLines < oursAnswered ? ' (FEWER: is access logging on?)' : '';
  console.log(
    `\n  ours logged ${accessLogLines} JSON lines for ${oursAnswered} answered requests${missingLogs}`,
  );
  console.log(`  ours exited on SIGTERM with ${oursExit}`);
  console.log(`  ${describeConnectionDetails(connectionDetails.result)}`);

  const pass = oursOverSdk >= TARGET_RATIO && oursErrors === 0;
  console.log(
    `\n${pass ? 'PASS' : 'FAIL'}: ours at ${oursOverSdk.toFixed(2)}x the SDK reference's requests/s ` +
      `(target >= ${TARGET_RATIO}x) with ${oursErrors} errors (target 0)`,
  );

  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        settings: {
          connections: CONNECTIONS,
          rounds: ROUNDS,
          roundSeconds: ROUND_SECONDS,
          warmUpSeconds: WARM_UP_SECONDS,
          targetRatio: TARGET_RATIO,
        },
        signVerify,
        targets: summaries,
        ratios: {
          oursOverSdk,
          oursOverBare,
          oursOverSdkRounds,
          oursOverBareRounds,
          cpuOursOverSdk,
        },
        // Informational, outside the verdict; same connections, round and warm-up lengths.
        connectionDetails: {
          rounds: CONNECTION_DETAILS_ROUNDS,
          request: CONNECTION_DETAILS_REQUEST_BODY,
          ...connectionDetails.result,
        },
        oursAccessLogLines: accessLogLines,
        oursExit,
        pass,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`Results written to ${path.relative(REPO_ROOT, RESULTS_FILE)}`);
  return pass ? 0 : 1;
}

function abort(exitCode: number): never {
  killAllChildServers();
  process.exit(exitCode);
}

// Whatever ends this process, no server outlives it, nor do the servers' output files.
process.once('exit', () => {
  killAllChildServers();
  removeServerOutput();
});
process.once('SIGINT', () => abort(130));
process.once('SIGTERM', () => abort(143));
setTimeout(() => {
  console.error(`bench: gave up after ${DEADLINE_MS / 1000} s`);
  abort(1);
}, DEADLINE_MS).unref();

main().then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    killAllChildServers();
  },
);
