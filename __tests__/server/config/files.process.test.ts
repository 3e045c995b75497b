import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cleanEnv,
  requireBuilt,
  runProcess,
  SERVER_ENTRY,
  type ProcessResult,
} from '../../support/processes';

// A server that opened a FIFO would wait for a writer for ever, silently: the run below kills
// it after this long and fails the test.
const EXIT_WITHIN_MS = 5_000;

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'token-server-fifo-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function fifo(name: string): string {
  const path = join(directory, name);
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${String(made.stderr)}`);
  return path;
}

function runServer(env: Record<string, string>): Promise<ProcessResult> {
  requireBuilt(SERVER_ENTRY);
  // The temporary directory as the working directory: no .env is read.
  return runProcess(
    process.execPath,
    [SERVER_ENTRY],
    {
      cwd: directory,
      env: cleanEnv({ TOKEN_SERVER_HOST: '127.0.0.1', TOKEN_SERVER_PORT: '0', ...env }),
    },
    EXIT_WITHIN_MS,
  );
}

describe('the server process with LIVEKIT_API_SECRET_FILE naming a FIFO', () => {
  it('exits 1 at once, saying what the file is', async () => {
    const path = fifo('secret');
    const result = await runServer({ LIVEKIT_API_KEY: 'APIfifo', LIVEKIT_API_SECRET_FILE: path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `Configuration error: LIVEKIT_API_SECRET_FILE names a FIFO, not a regular file (${path})`,
    );
    expect(result.stdout).not.toMatch(/listening on/);
  });
});

describe('the server process with ROLES_FILE naming /dev/zero', () => {
  it('exits 1 at once, saying what the file is', async () => {
    const result = await runServer({
      LIVEKIT_API_KEY: 'APIzero',
      LIVEKIT_API_SECRET: 'a-secret-of-at-least-32-characters-for-dev-zero',
      ROLES_FILE: '/dev/zero',
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'ROLES_FILE names a character device, not a regular file (/dev/zero)',
    );
  });
});
