import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenVerifier } from 'livekit-server-sdk';
import {
  cleanEnv,
  CLI_ENTRY,
  freePort,
  REPO_ROOT,
  requireBuilt,
  runProcess,
  startServer,
  type ProcessResult,
  type RunningServer,
} from './support/processes';

const CLI_BIN_LINK = join(REPO_ROOT, 'node_modules', '.bin', 'request-token');

/** What the server signs with when no LiveKit credentials are set outside production. */
const DEV_API_KEY = 'devkey';
const DEV_API_SECRET = 'secret';
const LIVEKIT_URL = 'wss://livekit.example.test';

const JWT_PATTERN = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** Runs the built CLI with `node`, from a directory without a .env unless one is written. */
function requestTokenCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<ProcessResult> {
  return runProcess(process.execPath, [CLI_ENTRY, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
  });
}

describe('request-token (process)', () => {
  let workDirectory: string;
  let server: RunningServer | undefined;
  let serverUrl: string;

  beforeAll(async () => {
    requireBuilt(CLI_ENTRY);
    workDirectory = mkdtempSync(join(tmpdir(), 'request-token-process-'));
    server = await startServer({ LIVEKIT_URL }, workDirectory);
    serverUrl = server.url;
  });

  afterAll(async () => {
    if (server) await server.stop();
    rmSync(workDirectory, { recursive: true, force: true });
  });

  describe('without --json or --quiet', () => {
    it('prints room, identity, expiry, server URL and token, and exits 0', async () => {
      const result = await requestTokenCli(
        ['--server', serverUrl, '--room', 'lobby', '--user-id', 'ada-1815'],
        { cwd: workDirectory },
      );

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(
        new RegExp(
          [
            '^room: +lobby',
            'identity: +ada-1815',
            'expires at: +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z',
            `server URL: +${LIVEKIT_URL}`,
            'token: +[\\w-]+\\.[\\w-]+\\.[\\w-]+\\n$',
          ].join('\\n'),
        ),
      );
    });
  });

  describe('with --json', () => {
    it('prints the server JSON, whose token LiveKit accepts for the asked room and user', async () => {
      const result = await requestTokenCli(
        [
          '--json',
          '--server',
          serverUrl,
          '--email',
          'ada@example.com',
          '--name',
          'Ada Lovelace',
          '--room',
          'engine-room',
        ],
        { cwd: workDirectory },
      );

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const body = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(body).toMatchObject({
        room_name: 'engine-room',
        identity: 'ada@example.com',
        server_url: LIVEKIT_URL,
      });
      expect(typeof body.token).toBe('string');
      const claims = await new TokenVerifier(DEV_API_KEY, DEV_API_SECRET).verify(
        String(body.token),
      );
      expect(claims.sub).toBe('ada@example.com');
      expect(claims.name).toBe('Ada Lovelace');
      expect(claims.video).toMatchObject({ room: 'engine-room', roomJoin: true });
      expect(new Date(String(body.expires_at)).getTime()).toBe((claims.exp ?? 0) * 1000);
    });
  });

  describe('with --quiet', () => {
    it('prints exactly one line: a JWT', async () => {
      const result = await requestTokenCli(['--quiet', '--server', serverUrl], {
        cwd: workDirectory,
      });

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(JWT_PATTERN);
      expect(lines[1]).toBe('');
    });
  });

  describe('without --server', () => {
    it('asks TOKEN_SERVER_URL from the environment', async () => {
      const result = await requestTokenCli(['--quiet'], {
        cwd: workDirectory,
        env: { TOKEN_SERVER_URL: serverUrl },
      });

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout.trim()).toMatch(JWT_PATTERN);
    });

    it('asks localhost on TOKEN_SERVER_PORT read from .env in the working directory', async () => {
      const directoryWithEnvFile = mkdtempSync(join(tmpdir(), 'request-token-dotenv-'));
      try {
        const port = new URL(serverUrl).port;
        writeFileSync(join(directoryWithEnvFile, '.env'), `TOKEN_SERVER_PORT=${port}\n`);

        const result = await requestTokenCli(['--quiet'], { cwd: directoryWithEnvFile });

        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(0);
        expect(result.stdout.trim()).toMatch(JWT_PATTERN);
      } finally {
        rmSync(directoryWithEnvFile, { recursive: true, force: true });
      }
    });
  });

  describe('when nothing listens at the server URL', () => {
    it('exits 1 and says which URL it could not reach', async () => {
      const unreachableUrl = `http://127.0.0.1:${await freePort()}`;

      const result = await requestTokenCli(['--server', unreachableUrl], { cwd: workDirectory });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`could not reach the token server at ${unreachableUrl}`);
      expect(result.stderr).toContain('./start_token_server.sh');
    });
  });

  describe('when the server refuses the request', () => {
    it("exits 1 with the server's code and message", async () => {
      // Passes the CLI's loose check, fails the server's: control characters in the name.
      const result = await requestTokenCli(['--server', serverUrl, '--name', 'Ada\u0007'], {
        cwd: workDirectory,
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: the token server answered 400 VALIDATION_ERROR: /);
      expect(result.stderr).toContain('full_name');
    });
  });

  describe('with a bad --email', () => {
    it('exits 2 with usage on stderr', async () => {
      const result = await requestTokenCli(['--server', serverUrl, '--email', 'not-an-email'], {
        cwd: workDirectory,
      });

      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain("argument 'not-an-email' is invalid");
      expect(result.stderr).toContain('Usage: request-token [options]');
    });
  });

  describe('through the workspace bin link, as npx request-token runs it', () => {
    it('prints help and exits 0', async () => {
      // npm creates the link at install time from client-cli's committed bin launcher.
      expect(existsSync(CLI_BIN_LINK)).toBe(true);

      const result = await runProcess(CLI_BIN_LINK, ['--help'], {
        cwd: REPO_ROOT,
        env: cleanEnv(),
      });

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('Usage: request-token [options]');
    });
  });
});

describe('request-token against a server with AUTH_MODE=api-key (process)', () => {
  /** One of the server's TOKEN_SERVER_API_KEYS (at least 32 characters). */
  const CALLER_API_KEY = 'cli-process-caller-key-7d2f9a4b1c8e6053';
  const WRONG_API_KEY = 'cli-process-wrong-key-00000000000000000';

  let workDirectory: string;
  let server: RunningServer | undefined;
  let serverUrl: string;

  /** Runs the CLI and checks that neither API key shows in what it printed. */
  async function requestTokenWithoutLeaks(
    args: string[],
    options: { cwd: string; env?: Record<string, string> },
  ): Promise<ProcessResult> {
    const result = await requestTokenCli(args, options);
    for (const key of [CALLER_API_KEY, WRONG_API_KEY]) {
      expect(result.stdout).not.toContain(key);
      expect(result.stderr).not.toContain(key);
    }
    return result;
  }

  beforeAll(async () => {
    requireBuilt(CLI_ENTRY);
    workDirectory = mkdtempSync(join(tmpdir(), 'request-token-api-key-'));
    server = await startServer(
      { AUTH_MODE: 'api-key', TOKEN_SERVER_API_KEYS: CALLER_API_KEY, RATE_LIMIT_PER_MINUTE: '0' },
      workDirectory,
    );
    serverUrl = server.url;
  });

  afterAll(async () => {
    if (server) await server.stop();
    rmSync(workDirectory, { recursive: true, force: true });
  });

  describe('with --api-key', () => {
    it('prints a token LiveKit accepts, and exits 0', async () => {
      const result = await requestTokenWithoutLeaks(
        ['--quiet', '--server', serverUrl, '--api-key', CALLER_API_KEY, '--user-id', 'ada-1815'],
        { cwd: workDirectory },
      );

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const claims = await new TokenVerifier(DEV_API_KEY, DEV_API_SECRET).verify(
        result.stdout.trim(),
      );
      expect(claims.sub).toBe('ada-1815');
    });
  });

  describe('with TOKEN_SERVER_API_KEY in .env in the working directory', () => {
    it('prints a token and exits 0', async () => {
      const directoryWithEnvFile = mkdtempSync(join(tmpdir(), 'request-token-dotenv-key-'));
      try {
        writeFileSync(
          join(directoryWithEnvFile, '.env'),
          `TOKEN_SERVER_URL=${serverUrl}\nTOKEN_SERVER_API_KEY=${CALLER_API_KEY}\n`,
        );

        const result = await requestTokenWithoutLeaks(['--quiet'], { cwd: directoryWithEnvFile });

        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(0);
        expect(result.stdout.trim()).toMatch(JWT_PATTERN);
      } finally {
        rmSync(directoryWithEnvFile, { recursive: true, force: true });
      }
    });
  });

  describe('without an API key', () => {
    it('exits 1 and explains that the server requires authentication', async () => {
      const result = await requestTokenWithoutLeaks(['--server', serverUrl], {
        cwd: workDirectory,
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^error: the token server answered 401 AUTHENTICATION_REQUIRED: .+\nthe token server requires authentication: pass --api-key \(or set TOKEN_SERVER_API_KEY\) or --bearer \(TOKEN_SERVER_BEARER\)\.\n$/,
      );
    });
  });

  describe('with a wrong API key', () => {
    it('exits 1 and explains that the server refused it, without printing it', async () => {
      const result = await requestTokenWithoutLeaks(['--server', serverUrl], {
        cwd: workDirectory,
        env: { TOKEN_SERVER_API_KEY: WRONG_API_KEY },
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^error: the token server answered 401 INVALID_CREDENTIALS: .+\nthe token server refused the credentials: check the API key \(--api-key, or TOKEN_SERVER_API_KEY in the environment or \.env\)\.\n$/,
      );
    });
  });

  describe('with --api-key and --bearer', () => {
    it('exits 2 before asking the server, without printing either', async () => {
      const result = await requestTokenWithoutLeaks(
        ['--server', serverUrl, '--api-key', CALLER_API_KEY, '--bearer', WRONG_API_KEY],
        { cwd: workDirectory },
      );

      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: option '--api-key <key>' cannot be used with/);
    });
  });
});

describe('request-token against a rate-limited server (process)', () => {
  let workDirectory: string;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    requireBuilt(CLI_ENTRY);
    workDirectory = mkdtempSync(join(tmpdir(), 'request-token-rate-limit-'));
    server = await startServer({ RATE_LIMIT_PER_MINUTE: '1' }, workDirectory);
  });

  afterAll(async () => {
    if (server) await server.stop();
    rmSync(workDirectory, { recursive: true, force: true });
  });

  describe('past the limit', () => {
    it("exits 1 and says how long to wait, from the server's Retry-After", async () => {
      const serverUrl = server?.url ?? '';
      const first = await requestTokenCli(['--quiet', '--server', serverUrl], {
        cwd: workDirectory,
      });
      expect(first.exitCode).toBe(0);

      const second = await requestTokenCli(['--quiet', '--server', serverUrl], {
        cwd: workDirectory,
      });

      expect(second.exitCode).toBe(1);
      expect(second.stdout).toBe('');
      expect(second.stderr).toMatch(
        /^error: the token server answered 429 RATE_LIMITED: .+\nthe token server is rate limiting these requests: retry after \d+ seconds?\.\n$/,
      );
    });
  });
});
