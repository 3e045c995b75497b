// request-token --invite and token-admin's invites and lobby as users start them: the built
// CLIs run as real processes against the in-memory invite routes on a loopback port, for what
// only processes show: exit codes, the token alone on stdout while the waiting line goes to
// stderr, and one process waiting until another admits it. What each sends and prints is
// tested in-process, in invite-client.test.ts and admin-invite-commands*.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY, TOKEN } from '../support/fake-fetch';
import { startFakeInviteServer, type FakeInviteServer } from '../support/fake-invite-server';
import {
  cleanEnv,
  CLI_ENTRY,
  REPO_ROOT,
  requireBuilt,
  runProcess,
  startProcess,
} from '../support/processes';

const ADMIN_ENTRY = join(REPO_ROOT, 'client-cli', 'dist', 'admin-cli.js');

let server: FakeInviteServer;
let workDirectory: string;

beforeAll(() => {
  requireBuilt(CLI_ENTRY);
  requireBuilt(ADMIN_ENTRY);
  workDirectory = mkdtempSync(join(tmpdir(), 'invite-process-'));
});

beforeEach(async () => {
  server = await startFakeInviteServer();
});

afterEach(async () => {
  await server.close();
});

afterAll(() => {
  rmSync(workDirectory, { recursive: true, force: true });
});

/** The environment of both CLIs: the fake, and for token-admin, the API key. */
function env() {
  return cleanEnv({ TOKEN_SERVER_URL: server.url, TOKEN_SERVER_API_KEY: API_KEY });
}

function tokenAdmin(args: string[]) {
  return runProcess(process.execPath, [ADMIN_ENTRY, ...args], { cwd: workDirectory, env: env() });
}

describe('request-token --invite and token-admin lobby (processes)', () => {
  it('waits on stderr until token-admin admits it, then prints the token alone and exits 0', async () => {
    const created = await tokenAdmin(['--json', 'invites', 'create', 'lab', '--waiting-room']);
    expect(created.exitCode).toBe(0);
    const { code } = JSON.parse(created.stdout) as { code: string };

    // The API key in the environment is not sent with the invite: the code is the credential.
    const waiting = startProcess(process.execPath, [CLI_ENTRY, '--invite', code, '--quiet'], {
      cwd: workDirectory,
      env: env(),
    });
    const entry = await server.nextHeldPoll();
    const admitted = await tokenAdmin(['lobby', 'admit', 'lab', entry.id]);
    expect(admitted.exitCode).toBe(0);

    const result = await waiting.exited();
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`${TOKEN}\n`);
    expect(result.stderr).toMatch(
      new RegExp(`^waiting room: waiting for a moderator to admit you \\(entry ${entry.id}; `),
    );
    expect(
      server.requests.find((request) => request.path === '/token')?.headers,
    ).not.toHaveProperty('x-api-key');
  });

  it('exits 1 with nothing on stdout when token-admin denies it', async () => {
    const code = server.addInvite('lab', { waiting_room: true });
    const waiting = startProcess(process.execPath, [CLI_ENTRY, '--invite', code, '--env'], {
      cwd: workDirectory,
      env: env(),
    });
    const entry = await server.nextHeldPoll();
    expect((await tokenAdmin(['lobby', 'deny', 'lab', entry.id])).exitCode).toBe(0);

    const result = await waiting.exited();
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('denied entry');
    expect(result.stderr).not.toContain(code);
    expect(result.stderr).not.toContain(entry.pollToken);
  });

  it('exits 2 for --invite with --api-key, sending nothing', async () => {
    const result = await runProcess(
      process.execPath,
      [CLI_ENTRY, '--invite', 'kfmw-ptra-hxce-bnqd', '--api-key', API_KEY],
      { cwd: workDirectory, env: env() },
    );

    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain(API_KEY);
    expect(server.requests).toEqual([]);
  });
});
