// Start-up time to the first answer: each server is spawned on a port chosen here and asked
// for a page every 2 ms from the moment it is spawned, until it answers; the time from spawn
// to that answer is its start-up, what a restart or a new pod costs before serving. Ours as
// development starts it (docs on) and as production does (docs off, API keys), against the
// SDK reference, compiled to JavaScript first so that it too starts from plain node.
// Interleaved rounds; medians.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import ts from 'typescript';
import { BENCH_KEY, BENCH_LIVEKIT_URL } from './contract';
import { median } from './rounds';

/** Rounds per target: each round starts every target once, in turn. */
export const STARTUP_ROUNDS = 10;
/** Between two probes of a starting server, in milliseconds. */
const PROBE_INTERVAL_MS = 2;
/** Longest a server may take to answer at all. */
const STARTUP_TIMEOUT_MS = 20_000;

const REPO_ROOT = path.resolve(__dirname, '..');
/** Where the references are compiled to (git-ignored, beside the results). */
const COMPILED_FOLDER = path.join(__dirname, 'results', 'startup');

/** One server to start: its command, its environment, and the path asked for. */
export interface StartupTarget {
  name: string;
  command: string;
  args: (port: number) => string[];
  env: (port: number) => NodeJS.ProcessEnv;
  probePath: string;
}

/** Each target's start-up times, in milliseconds. */
export type StartupResult = Record<string, { medianMs: number; roundsMs: number[] }>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Compiles a reference and the helper it imports to CommonJS, as `tsc` would emit them. */
function compileReference(file: string): string {
  mkdirSync(COMPILED_FOLDER, { recursive: true });
  for (const source of [file, 'listen.ts']) {
    const { outputText } = ts.transpileModule(readFileSync(path.join(__dirname, source), 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    writeFileSync(path.join(COMPILED_FOLDER, source.replace(/\.ts$/, '.js')), outputText);
  }
  return path.join(COMPILED_FOLDER, file.replace(/\.ts$/, '.js'));
}

/** The references listen on port 0; the bench's `PORT` is ours alone, so they get a shim. */
function referenceListeningOn(compiled: string): string {
  const shim = path.join(COMPILED_FOLDER, `${path.basename(compiled, '.js')}-on-port.js`);
  writeFileSync(
    shim,
    [
      "const net = require('node:net');",
      'const listen = net.Server.prototype.listen;',
      // The reference asks for port 0; it gets the one the bench probes.
      'net.Server.prototype.listen = function (port, ...rest) {',
      '  return listen.call(this, port === 0 ? Number(process.env.BENCH_PORT) : port, ...rest);',
      '};',
      `require(${JSON.stringify(compiled)});`,
    ].join('\n'),
  );
  return shim;
}

/** The environment of every server: none of the caller's settings beyond PATH and HOME. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    LIVEKIT_API_KEY: BENCH_KEY.apiKey,
    LIVEKIT_API_SECRET: BENCH_KEY.apiSecret,
    LIVEKIT_URL: BENCH_LIVEKIT_URL,
    ...extra,
  };
}

/** The start-up targets; `serverEntry` is ours (another build's, to compare before and after). */
export function startupTargets(
  serverEntry: string = path.join(REPO_ROOT, 'server', 'dist', 'index.js'),
): StartupTarget[] {
  const reference = referenceListeningOn(compileReference('reference-sdk.ts'));
  const ours = (name: string, extra: Record<string, string>): StartupTarget => ({
    name,
    command: process.execPath,
    args: () => [serverEntry],
    env: (port) =>
      baseEnv({
        TOKEN_SERVER_HOST: '127.0.0.1',
        TOKEN_SERVER_PORT: String(port),
        METRICS_PORT: '0',
        ...extra,
      }),
    probePath: '/healthz',
  });
  return [
    ours('ours', {}),
    ours('ours-production', {
      NODE_ENV: 'production',
      AUTH_MODE: 'api-key',
      TOKEN_SERVER_API_KEYS: 'bench-caller-key-0123456789abcdefghijklmnop',
      LIVEKIT_API_SECRET: BENCH_KEY.apiSecret,
    }),
    {
      name: 'sdk',
      command: process.execPath,
      args: () => [reference],
      env: (port) => baseEnv({ BENCH_PORT: String(port) }),
      probePath: '/',
    },
  ];
}

/** Starts one target and resolves with the milliseconds from spawn to its first answer. */
async function timeToFirstAnswer(target: StartupTarget): Promise<number> {
  const port = await freePort();
  const startedAt = performance.now();
  // A scratch cwd would do as well; the repository has no .env in CI or the bench's checks.
  const child = spawn(target.command, target.args(port), {
    cwd: COMPILED_FOLDER,
    env: target.env(port),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${target.name} exited: ${stderr}`);
      if (performance.now() - startedAt > STARTUP_TIMEOUT_MS) {
        throw new Error(`${target.name} did not answer within ${STARTUP_TIMEOUT_MS} ms`);
      }
      const answered = await fetch(`http://127.0.0.1:${port}${target.probePath}`).then(
        async (response) => {
          await response.arrayBuffer();
          return true;
        },
        () => false,
      );
      if (answered) return performance.now() - startedAt;
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Starts every target `rounds` times, in turn (the first rotates), and takes the medians. */
export async function measureStartup(
  targets: readonly StartupTarget[],
  rounds: number = STARTUP_ROUNDS,
): Promise<StartupResult> {
  const times = new Map<string, number[]>(targets.map((target) => [target.name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (let turn = 0; turn < targets.length; turn += 1) {
      const target = targets[(round + turn) % targets.length] as StartupTarget;
      times.get(target.name)?.push(await timeToFirstAnswer(target));
    }
  }
  return Object.fromEntries(
    [...times].map(([name, roundsMs]) => [name, { medianMs: median(roundsMs), roundsMs }]),
  );
}

/** Prints the start-up table: medians, and each target over the SDK reference's. */
export function printStartup(result: StartupResult): void {
  const sdk = result.sdk?.medianMs;
  console.log(
    `\nStart-up to the first answer, ms, medians of ${STARTUP_ROUNDS} interleaved starts:`,
  );
  for (const [name, { medianMs }] of Object.entries(result)) {
    const ratio = sdk === undefined ? '' : `   ${(medianMs / sdk).toFixed(2)}x the SDK reference's`;
    console.log(`  ${name.padEnd(16)} ${medianMs.toFixed(0).padStart(6)}${ratio}`);
  }
}
