// token-admin as users start it: the built bin run as a real process against the in-memory
// moderation API on a loopback port, for what only a process shows (exit codes, stdout versus
// stderr, .env in the working directory, the workspace bin link, npx and npm pack). What each
// command sends and prints is tested in-process, in admin-program*.test.ts.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY } from '../support/fake-fetch';
import {
  startFakeModerationServer,
  type FakeModerationServer,
} from '../support/fake-moderation-server';
import { answerJson } from '../support/hostile-server';
import {
  cleanEnv,
  freePort,
  REPO_ROOT,
  requireBuilt,
  runProcess,
  type ProcessResult,
} from '../support/processes';

const ADMIN_BIN = join(REPO_ROOT, 'client-cli', 'bin', 'token-admin.js');
const ADMIN_ENTRY = join(REPO_ROOT, 'client-cli', 'dist', 'admin-cli.js');
const ADMIN_BIN_LINK = join(REPO_ROOT, 'node_modules', '.bin', 'token-admin');

let server: FakeModerationServer;
let workDirectory: string;

beforeAll(async () => {
  requireBuilt(ADMIN_ENTRY);
  workDirectory = mkdtempSync(join(tmpdir(), 'token-admin-process-'));
});

beforeEach(async () => {
  server = await startFakeModerationServer();
  // As a user keeps them: the server and the key in .env, not on the command line.
  writeFileSync(
    join(workDirectory, '.env'),
    `TOKEN_SERVER_URL=${server.url}\nTOKEN_SERVER_API_KEY=${API_KEY}\n`,
  );
});

afterEach(async () => {
  await server.close();
});

afterAll(() => {
  rmSync(workDirectory, { recursive: true, force: true });
});

/** Runs the committed bin launcher with node, in the work directory. */
function tokenAdmin(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, [ADMIN_BIN, ...args], {
    cwd: workDirectory,
    env: cleanEnv(env),
  });
}

describe('token-admin (process)', () => {
  it('bans, lists and lifts with the settings of .env, exiting 0', async () => {
    const added = await tokenAdmin(['bans', 'add', 'mallory', '--room', 'demo', '--json']);
    expect(added.stderr).toBe('');
    expect(added.exitCode).toBe(0);
    const ban = JSON.parse(added.stdout) as { id: string };
    expect(server.requests[0]?.headers['x-api-key']).toBe(API_KEY);

    const listed = await tokenAdmin(['bans', 'list']);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toContain(ban.id);

    const removed = await tokenAdmin(['bans', 'remove', ban.id]);
    expect(removed).toMatchObject({ exitCode: 0, stdout: `lifted ban ${ban.id}\n`, stderr: '' });
  });

  it('exits 1 with nothing on stdout for BAN_NOT_FOUND, explained in one line', async () => {
    const result = await tokenAdmin(['bans', 'remove', 'no-such-ban']);

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      expect.stringContaining('404 BAN_NOT_FOUND'),
      expect.stringContaining('token-admin bans list shows the bans in force'),
      '',
    ]);
    expect(result.stderr).not.toContain(API_KEY);
  });

  it('exits 2 for rooms limit r abc, sending nothing', async () => {
    const result = await tokenAdmin(['rooms', 'limit', 'r', 'abc']);

    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("argument 'N|none'");
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe('see token-admin --help');
    expect(server.requests).toEqual([]);
  });

  it('exits 2 for a negative --duration, sending nothing', async () => {
    const result = await tokenAdmin(['bans', 'add', 'mallory', '--duration', '-5']);

    expect(result.exitCode).toBe(2);
    expect(server.requests).toEqual([]);
  });

  it('exits 1 for a redirect, which it does not follow', async () => {
    server.override = (_request, response) => {
      response.writeHead(302, { location: 'http://elsewhere.example/bans' }).end();
      return true;
    };
    const result = await tokenAdmin(['bans', 'list']);

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('a redirect to http://elsewhere.example;');
    expect(server.requests).toHaveLength(1);
  });

  it('exits 1 for MODERATION_UNAVAILABLE', async () => {
    server.override = (_request, response) => {
      answerJson(response, 503, {
        error: { code: 'MODERATION_UNAVAILABLE', message: 'The moderation store is down.' },
      });
      return true;
    };
    const result = await tokenAdmin(['rooms', 'show', 'demo']);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('cannot reach its moderation store');
  });

  it('exits 1 when no server listens', async () => {
    const port = await freePort();
    const result = await tokenAdmin(['rooms', 'show', 'demo'], {
      TOKEN_SERVER_URL: `http://127.0.0.1:${port}`,
    });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`could not reach the token server at http://127.0.0.1:${port}`);
  });

  describe('through the workspace bin link, as npx token-admin runs it', () => {
    it('prints help and exits 0', async () => {
      // npm creates the link at install time from client-cli's committed bin launcher.
      expect(existsSync(ADMIN_BIN_LINK)).toBe(true);

      const result = await runProcess(ADMIN_BIN_LINK, ['--help'], {
        cwd: REPO_ROOT,
        env: cleanEnv(),
      });

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('Usage: token-admin [options] [command]');
    });

    it('runs with npx --no-install token-admin inside the repository', async () => {
      const home = mkdtempSync(join(tmpdir(), 'token-admin-home-'));
      try {
        const result = await runProcess(
          'npx',
          ['--no-install', 'token-admin', '--help'],
          { cwd: REPO_ROOT, env: cleanEnv({ HOME: home, npm_config_cache: join(home, 'cache') }) },
          60_000,
        );
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toContain('Usage: token-admin [options] [command]');
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }, 70_000);
  });

  describe('npm pack --workspace client-cli', () => {
    it('packs the token-admin launcher and its built entry point', async () => {
      const home = mkdtempSync(join(tmpdir(), 'token-admin-pack-'));
      try {
        const result = await runProcess(
          'npm',
          ['pack', '--dry-run', '--json', '--workspace', 'client-cli'],
          { cwd: REPO_ROOT, env: cleanEnv({ HOME: home, npm_config_cache: join(home, 'cache') }) },
          60_000,
        );
        expect(result.exitCode).toBe(0);
        const [packed] = JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>;
        expect(packed?.files.map((file) => file.path)).toEqual(
          expect.arrayContaining(['bin/token-admin.js', 'dist/admin-cli.js']),
        );
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }, 70_000);
  });
});
