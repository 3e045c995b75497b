// The example web pages' site, examples/web/serve.mjs, started as users start it, for the
// browser tests of the pages.
import { join } from 'node:path';
import {
  cleanEnv,
  PROCESS_TIMEOUT_MS,
  REPO_ROOT,
  startProcess,
  type RunningProcess,
} from './processes';

export const EXAMPLE_DIR = join(REPO_ROOT, 'examples', 'web');

/**
 * Longest a page may take to load, in milliseconds: longer than one browser step, since
 * Chromium compiles livekit-client's 1.4 MB ESM build first, which takes seconds on a busy CI
 * machine.
 */
export const PAGE_LOAD_TIMEOUT_MS = 15_000;

/**
 * Longest a page may take to give up on a LiveKit URL where nothing listens, in
 * milliseconds: the refusal itself is immediate, livekit-client then retries once.
 */
export const CONNECT_ERROR_TIMEOUT_MS = 10_000;

/** `node examples/web/serve.mjs` on 127.0.0.1 and a port (an ephemeral one unless told). */
export interface ExampleSite extends RunningProcess {
  /** `http://127.0.0.1:<port>`, which is also the pages' origin. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts serve.mjs as users do, and resolves once it prints where it serves. Tests leave
 * `port` at 0 (ephemeral); the screenshot script asks for the README's 5173.
 */
export async function startExampleSite(port = 0): Promise<ExampleSite> {
  const running = startProcess(
    process.execPath,
    [join(EXAMPLE_DIR, 'serve.mjs'), '--host', '127.0.0.1', '--port', String(port)],
    { env: cleanEnv() },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      running.child.kill('SIGKILL');
      reject(new Error(`serve.mjs did not start: ${JSON.stringify(running.output())}`));
    }, PROCESS_TIMEOUT_MS);
    const check = () => {
      const match = /on (http:\/\/127\.0\.0\.1:\d+)\//.exec(running.output().stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    running.child.stdout?.on('data', check);
    running.child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`serve.mjs exited at start-up: ${JSON.stringify(running.output())}`));
    });
  });
  return {
    ...running,
    url,
    stop: async () => {
      running.child.kill('SIGTERM');
      await running.exited();
    },
  };
}
