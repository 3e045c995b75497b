import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../server/src/config';
import { LIVEKIT_CREDENTIALS as credentials, secretLike } from '../../support/config';

// These tests read real files through the server's own reader (loadConfig's default), since
// what they guard against (a FIFO, a device, a huge file) is what the disk does.

/** The caps docs/configuration.md names. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;
const MAX_ROLES_FILE_BYTES = 1024 * 1024;

/** Longest loadConfig may take on any of these files: a FIFO or a device must not hold it. */
const PROMPT_MS = 1_000;

let directory: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'token-server-files-'));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  rmSync(directory, { recursive: true, force: true });
});

/** The problems loadConfig reports, read with the real reader; throws if it accepts `env`. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

/**
 * A FIFO in the test's directory. A reader that opens it would wait for a writer for ever and
 * hang the test run; so a writer comes after 2 s, and such a reader fails the test (slow, and
 * given a secret) instead of hanging it.
 */
function fifo(name: string): string {
  const path = join(directory, name);
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${String(made.stderr)}`);
  const writer = spawn(
    'sh',
    ['-c', 'sleep 2; printf %s "$2" > "$1"', 'sh', path, secretLike(name)],
    {
      stdio: 'ignore',
    },
  );
  children.push(writer);
  return path;
}

function file(name: string, contents: string): string {
  const path = join(directory, name);
  writeFileSync(path, contents);
  return path;
}

/** Runs `load`, failing if it took longer than PROMPT_MS. */
function promptly<T>(load: () => T): T {
  const started = Date.now();
  const result = load();
  expect(Date.now() - started).toBeLessThan(PROMPT_MS);
  return result;
}

describe('loadConfig reading LIVEKIT_API_SECRET_FILE from disk', () => {
  const key = { LIVEKIT_API_KEY: credentials.LIVEKIT_API_KEY };

  it('reads a regular file', () => {
    const secret = secretLike('regular');
    const path = file('secret', `${secret}\n`);
    expect(loadConfig({ ...key, LIVEKIT_API_SECRET_FILE: path }).livekitApiSecret).toBe(secret);
  });

  it('reads a symbolic link to a regular file, as Kubernetes mounts secrets', () => {
    const secret = secretLike('linked');
    mkdirSync(join(directory, '..data'));
    writeFileSync(join(directory, '..data', 'secret'), secret);
    const link = join(directory, 'secret');
    symlinkSync(join('..data', 'secret'), link);
    expect(loadConfig({ ...key, LIVEKIT_API_SECRET_FILE: link }).livekitApiSecret).toBe(secret);
  });

  it('reads a file of exactly 64 KiB', () => {
    const path = file('full', 's'.repeat(MAX_SECRET_FILE_BYTES));
    expect(loadConfig({ ...key, LIVEKIT_API_SECRET_FILE: path }).livekitApiSecret).toHaveLength(
      MAX_SECRET_FILE_BYTES,
    );
  });

  it('refuses a FIFO at once, without opening it', () => {
    const path = fifo('secret-fifo');
    expect(promptly(() => problemsOf({ ...key, LIVEKIT_API_SECRET_FILE: path }))).toEqual([
      `LIVEKIT_API_SECRET_FILE names a FIFO, not a regular file (${path})`,
    ]);
  }, 10_000);

  it('refuses /dev/zero, a device, without reading it', () => {
    expect(promptly(() => problemsOf({ ...key, LIVEKIT_API_SECRET_FILE: '/dev/zero' }))).toEqual([
      'LIVEKIT_API_SECRET_FILE names a character device, not a regular file (/dev/zero)',
    ]);
  }, 10_000);

  it('refuses a directory', () => {
    expect(problemsOf({ ...key, LIVEKIT_API_SECRET_FILE: directory })).toEqual([
      `LIVEKIT_API_SECRET_FILE names a directory, not a regular file (${directory})`,
    ]);
  });

  it('refuses a file over 64 KiB, rather than take it as the secret', () => {
    const path = file('huge', 's'.repeat(MAX_SECRET_FILE_BYTES + 1));
    expect(problemsOf({ ...key, LIVEKIT_API_SECRET_FILE: path })).toEqual([
      `LIVEKIT_API_SECRET_FILE names a file larger than 65536 bytes (${path})`,
    ]);
  });

  it('refuses a symbolic link to a FIFO', () => {
    const link = join(directory, 'link');
    symlinkSync(fifo('target-fifo'), link);
    expect(promptly(() => problemsOf({ ...key, LIVEKIT_API_SECRET_FILE: link }))).toEqual([
      `LIVEKIT_API_SECRET_FILE names a FIFO, not a regular file (${link})`,
    ]);
  }, 10_000);

  it('names a missing file and the code of why it cannot be read', () => {
    const path = join(directory, 'missing');
    expect(problemsOf({ ...key, LIVEKIT_API_SECRET_FILE: path })).toEqual([
      `LIVEKIT_API_SECRET_FILE names a file that cannot be read (${path}: ENOENT)`,
    ]);
  });

  it('reports every secret file problem together', () => {
    const big = file('big', 'k'.repeat(MAX_SECRET_FILE_BYTES + 1));
    expect(
      promptly(() =>
        problemsOf({
          ...key,
          LIVEKIT_API_SECRET_FILE: '/dev/zero',
          AUTH_MODE: 'api-key',
          TOKEN_SERVER_API_KEYS_FILE: big,
        }),
      ),
    ).toEqual([
      'LIVEKIT_API_SECRET_FILE names a character device, not a regular file (/dev/zero)',
      `TOKEN_SERVER_API_KEYS_FILE names a file larger than 65536 bytes (${big})`,
    ]);
  });
});

describe('loadConfig reading ROLES_FILE from disk', () => {
  const roles = JSON.stringify({ moderator: { canPublish: true, roomAdmin: true } });

  it('reads a symbolic link to a regular file', () => {
    const link = join(directory, 'roles.json');
    symlinkSync(file('roles.real.json', roles), link);
    expect(loadConfig({ ...credentials, ROLES_FILE: link }).roles.has('moderator')).toBe(true);
  });

  it('reads a file of 1 MiB', () => {
    const padded = roles.padEnd(MAX_ROLES_FILE_BYTES, ' ');
    const path = file('roles.json', padded);
    expect(loadConfig({ ...credentials, ROLES_FILE: path }).roles.has('moderator')).toBe(true);
  });

  it('refuses a FIFO at once, without opening it', () => {
    const path = fifo('roles-fifo');
    expect(promptly(() => problemsOf({ ...credentials, ROLES_FILE: path }))).toEqual([
      `ROLES_FILE names a FIFO, not a regular file (${path})`,
    ]);
  }, 10_000);

  it('refuses /dev/zero', () => {
    expect(promptly(() => problemsOf({ ...credentials, ROLES_FILE: '/dev/zero' }))).toEqual([
      'ROLES_FILE names a character device, not a regular file (/dev/zero)',
    ]);
  }, 10_000);

  it('refuses a directory', () => {
    expect(problemsOf({ ...credentials, ROLES_FILE: directory })).toEqual([
      `ROLES_FILE names a directory, not a regular file (${directory})`,
    ]);
  });

  it('refuses a file over 1 MiB', () => {
    const path = file('roles.json', roles.padEnd(MAX_ROLES_FILE_BYTES + 1, ' '));
    expect(problemsOf({ ...credentials, ROLES_FILE: path })).toEqual([
      `ROLES_FILE names a file larger than 1048576 bytes (${path})`,
    ]);
  });
});
