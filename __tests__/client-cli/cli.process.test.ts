// request-token as users start it: the built CLI run as a real process, for what only a
// process shows (exit codes, stdout versus stderr, .env in the working directory, the
// workspace bin link) and against the real token server. What the CLI sends and prints for
// each option is tested in-process, next to this file.
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  runRequestToken,
  startServer,
  type ProcessResult,
  type RunningServer,
} from '../support/processes';

const CLI_BIN_LINK = join(REPO_ROOT, 'node_modules', '.bin', 'request-token');

/** What the server signs with when no LiveKit credentials are set outside production. */
const DEV_API_KEY = 'devkey';
const DEV_API_SECRET = 'secret';
const LIVEKIT_URL = 'wss://livekit.example.test';

const JWT_PATTERN = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** Checks a token the way LiveKit does, and resolves to its claims. */
function verifyToken(token: string): ReturnType<TokenVerifier['verify']> {
  return new TokenVerifier(DEV_API_KEY, DEV_API_SECRET).verify(token);
}

/**
 * Runs `vars=$(request-token --env <args>) && eval "$vars"` in sh, as --help suggests, then
 * prints LIVEKIT_URL and LIVEKIT_TOKEN (or "unset"); exits 9 when request-token failed.
 */
function evalEnvInSh(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  const script =
    'vars=$("$@") && eval "$vars" || exit 9; printf "%s\\n%s\\n" "${LIVEKIT_URL-unset}" "${LIVEKIT_TOKEN-unset}"';
  return runProcess('sh', ['-c', script, 'sh', process.execPath, CLI_ENTRY, '--env', ...args], {
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
    it('prints room, identity, role, expiry, server URL and token, and exits 0', async () => {
      const result = await runRequestToken(
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
            'role: +participant',
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
      const result = await runRequestToken(
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
      const claims = await verifyToken(String(body.token));
      expect(claims.sub).toBe('ada@example.com');
      expect(claims.name).toBe('Ada Lovelace');
      expect(claims.video).toMatchObject({ room: 'engine-room', roomJoin: true });
      expect(new Date(String(body.expires_at)).getTime()).toBe((claims.exp ?? 0) * 1000);
    });
  });

  describe('with --quiet', () => {
    it('prints exactly one line: a JWT', async () => {
      const result = await runRequestToken(['--quiet', '--server', serverUrl], {
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
      const result = await runRequestToken(['--quiet'], {
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

        const result = await runRequestToken(['--quiet'], { cwd: directoryWithEnvFile });

        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(0);
        expect(result.stdout.trim()).toMatch(JWT_PATTERN);
      } finally {
        rmSync(directoryWithEnvFile, { recursive: true, force: true });
      }
    });
  });

  describe('with --role, --metadata, --attribute, --agent, --agent-metadata and --ttl', () => {
    const NEW_OPTIONS = [
      '--role',
      'viewer',
      '--metadata',
      '{"lang":"en"}',
      '--attribute',
      'team=blue',
      '--attribute',
      'filter=a=b',
      '--agent',
      'support-bot',
      '--agent-metadata',
      '{"topic":"billing"}',
      '--ttl',
      '600',
    ];

    it('gets a token LiveKit accepts with the role grants, metadata, attributes, agent and lifetime', async () => {
      const result = await runRequestToken(
        ['--json', '--server', serverUrl, '--room', 'demo', '--user-id', 'ada', ...NEW_OPTIONS],
        { cwd: workDirectory },
      );

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const body = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(body).toMatchObject({ role: 'viewer', room_name: 'demo', identity: 'ada' });
      const claims = await verifyToken(String(body.token));
      expect(claims.video).toMatchObject({
        room: 'demo',
        roomJoin: true,
        canSubscribe: true,
        canPublish: false,
        canPublishData: false,
      });
      expect(claims.metadata).toBe('{"lang":"en"}');
      expect(claims.attributes).toStrictEqual({ team: 'blue', filter: 'a=b' });
      expect(JSON.parse(JSON.stringify(claims.roomConfig))).toStrictEqual({
        agents: [{ agentName: 'support-bot', metadata: '{"topic":"billing"}' }],
      });
      expect((claims.exp ?? 0) - (claims.nbf ?? claims.iat ?? 0)).toBe(600);
    });

    it('prints the role, and what the token server decodes from the token with --validate', async () => {
      const result = await runRequestToken(
        ['--validate', '--server', serverUrl, '--room', 'demo', '--user-id', 'ada', ...NEW_OPTIONS],
        { cwd: workDirectory },
      );

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^role: +viewer$/m);
      expect(result.stdout).toContain(
        '\nvalidated: the token server accepts the token, which holds\n',
      );
      expect(result.stdout).toMatch(/^ {2}identity: +ada$/m);
      expect(result.stdout).toMatch(/^ {2}name: +Test User$/m);
      expect(result.stdout).toMatch(/^ {2}room: +demo$/m);
      expect(result.stdout).toMatch(/^ {2}grants: +\{.*"canPublish":false.*\}$/m);
      expect(result.stdout).toMatch(/^ {2}metadata: +\{"lang":"en"\}$/m);
      expect(result.stdout).toMatch(/^ {2}attributes: +\{"team":"blue","filter":"a=b"\}$/m);
      expect(result.stdout).toMatch(
        /^ {2}room config: +\{"agents":\[\{"agentName":"support-bot","metadata":"\{\\"topic\\":\\"billing\\"\}"\}\]\}$/m,
      );
    });

    it('puts the answer of /validate under "validation" with --json --validate', async () => {
      const result = await runRequestToken(
        ['--json', '--validate', '--server', serverUrl, '--user-id', 'ada', ...NEW_OPTIONS],
        { cwd: workDirectory },
      );

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const body = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(body.validation).toStrictEqual({
        valid: true,
        identity: 'ada',
        name: 'Test User',
        room: body.room_name,
        expires_at: body.expires_at,
        grants: expect.objectContaining({ room: body.room_name, canPublish: false }),
        metadata: '{"lang":"en"}',
        attributes: { team: 'blue', filter: 'a=b' },
        room_config: { agents: [{ agentName: 'support-bot', metadata: '{"topic":"billing"}' }] },
      });
    });
  });

  describe('with --env', () => {
    it('prints LIVEKIT_URL and LIVEKIT_TOKEN that sh can eval: the server URL and a token LiveKit accepts', async () => {
      const result = await evalEnvInSh(['--server', serverUrl], { cwd: workDirectory });

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const [url, token, end] = result.stdout.split('\n');
      expect(url).toBe(LIVEKIT_URL);
      expect(end).toBe('');
      const claims = await verifyToken(token ?? '');
      expect(claims.sub).toBe('test.user@example.com');
    });
  });

  describe('with a --role the server keeps from the public', () => {
    it('exits 1 with 403 ROLE_NOT_ALLOWED and what to do', async () => {
      const result = await runRequestToken(['--server', serverUrl, '--role', 'host'], {
        cwd: workDirectory,
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^error: the token server answered 403 ROLE_NOT_ALLOWED: .+\nthe token server does not let you take this role: choose a --role it is open to, or ask its operator for the role\.\n$/,
      );
    });
  });

  describe('when nothing listens at the server URL', () => {
    it('exits 1 and says which URL it could not reach', async () => {
      const unreachableUrl = `http://127.0.0.1:${await freePort()}`;

      const result = await runRequestToken(['--server', unreachableUrl], { cwd: workDirectory });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`could not reach the token server at ${unreachableUrl}`);
      expect(result.stderr).toContain('./start_token_server.sh');
    });
  });

  describe('when the server refuses the request', () => {
    it("exits 1 with the server's code and message", async () => {
      // Passes the CLI's loose check, fails the server's: control characters in the name.
      const result = await runRequestToken(['--server', serverUrl, '--name', 'Ada\u0007'], {
        cwd: workDirectory,
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: the token server answered 400 VALIDATION_ERROR: /);
      expect(result.stderr).toContain('full_name');
    });
  });

  describe('with a bad --email', () => {
    it('exits 2 with the problem and a pointer to --help, two lines on stderr', async () => {
      const result = await runRequestToken(['--server', serverUrl, '--email', 'not-an-email'], {
        cwd: workDirectory,
      });

      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')).toStrictEqual([
        expect.stringMatching(
          /^error: option '--email <email>' argument 'not-an-email' is invalid/,
        ),
        'see request-token --help',
        '',
      ]);
    });
  });

  describe('with --version', () => {
    it('prints the version from the package.json next to its dist/, read at run time', async () => {
      // A copy of the built CLI beside a package.json of its own: a version compiled in, or
      // read from anywhere else, would not print this one.
      const packageDirectory = mkdtempSync(join(tmpdir(), 'request-token-version-'));
      try {
        cpSync(join(REPO_ROOT, 'client-cli', 'dist'), join(packageDirectory, 'dist'), {
          recursive: true,
        });
        writeFileSync(
          join(packageDirectory, 'package.json'),
          JSON.stringify({ name: 'request-token', version: '9.8.7-process-test' }),
        );

        const result = await runProcess(
          process.execPath,
          [join(packageDirectory, 'dist', 'cli.js'), '--version'],
          // commander and dotenv, from the repository's node_modules.
          { cwd: workDirectory, env: cleanEnv({ NODE_PATH: join(REPO_ROOT, 'node_modules') }) },
        );

        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toBe('9.8.7-process-test\n');
      } finally {
        rmSync(packageDirectory, { recursive: true, force: true });
      }
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
    const result = await runRequestToken(args, options);
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
      const claims = await verifyToken(result.stdout.trim());
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

  describe('with --validate', () => {
    it('sends the API key to /validate too, and prints the validation', async () => {
      const result = await requestTokenWithoutLeaks(
        ['--validate', '--server', serverUrl, '--api-key', CALLER_API_KEY],
        { cwd: workDirectory },
      );

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain(
        '\nvalidated: the token server accepts the token, which holds\n',
      );
      expect(result.stdout).toMatch(/^ {2}identity: +test\.user@example\.com$/m);
    });
  });

  describe('with --env, from a server without LIVEKIT_URL', () => {
    it('exits 1 saying the server has no LIVEKIT_URL, with nothing on stdout', async () => {
      const result = await requestTokenWithoutLeaks(
        ['--env', '--server', serverUrl, '--api-key', CALLER_API_KEY],
        { cwd: workDirectory },
      );

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `error: the token server at ${serverUrl} has no LIVEKIT_URL set, so its answer has no server_url for --env to print.\n` +
          "Set LIVEKIT_URL in the token server's environment or .env and restart it, or leave out --env.\n",
      );
    });

    it('stops `vars=$(request-token --env) && eval "$vars"` before the eval', async () => {
      // A bare `eval "$(...)"` would go on as if all were well; the exit code is what stops it.
      const result = await evalEnvInSh(['--server', serverUrl], {
        cwd: workDirectory,
        env: { TOKEN_SERVER_API_KEY: CALLER_API_KEY },
      });

      expect(result.exitCode).toBe(9);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('has no LIVEKIT_URL set');
      expect(result.stderr).not.toContain(CALLER_API_KEY);
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
      const first = await runRequestToken(['--quiet', '--server', serverUrl], {
        cwd: workDirectory,
      });
      expect(first.exitCode).toBe(0);

      const second = await runRequestToken(['--quiet', '--server', serverUrl], {
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

describe('request-token against a server with AGENT_NAMES and TOKEN_EXPIRY_HOURS=1 (process)', () => {
  let workDirectory: string;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    requireBuilt(CLI_ENTRY);
    workDirectory = mkdtempSync(join(tmpdir(), 'request-token-agents-'));
    server = await startServer(
      { AGENT_NAMES: 'support-bot', TOKEN_EXPIRY_HOURS: '1', RATE_LIMIT_PER_MINUTE: '0' },
      workDirectory,
    );
  });

  afterAll(async () => {
    if (server) await server.stop();
    rmSync(workDirectory, { recursive: true, force: true });
  });

  describe('with an --agent in AGENT_NAMES', () => {
    it('prints the agent and exits 0', async () => {
      const result = await runRequestToken(
        ['--server', server?.url ?? '', '--agent', 'support-bot'],
        { cwd: workDirectory },
      );

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^agent: +support-bot$/m);
    });
  });

  describe('with an --agent not in AGENT_NAMES', () => {
    it('exits 1 with 403 AGENT_NOT_ALLOWED and what to do', async () => {
      const result = await runRequestToken(
        ['--server', server?.url ?? '', '--agent', 'rogue-bot'],
        { cwd: workDirectory },
      );

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^error: the token server answered 403 AGENT_NOT_ALLOWED: .+\nthe --agent is not in the token server's AGENT_NAMES: choose one of those agents, or ask its operator to add it\.\n$/,
      );
    });
  });

  describe('with a --ttl longer than TOKEN_EXPIRY_HOURS', () => {
    it("exits 1 with 400 VALIDATION_ERROR, the server's message and the field", async () => {
      const result = await runRequestToken(['--server', server?.url ?? '', '--ttl', '3601'], {
        cwd: workDirectory,
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: the token server answered 400 VALIDATION_ERROR: .+\n/);
      expect(result.stderr).toMatch(/^ {2}- ttl_seconds: .+$/m);
    });
  });

  describe('with a --ttl of exactly TOKEN_EXPIRY_HOURS', () => {
    it('gets a token that lives that long', async () => {
      const result = await runRequestToken(
        ['--quiet', '--server', server?.url ?? '', '--ttl', '3600'],
        { cwd: workDirectory },
      );

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const claims = await verifyToken(result.stdout.trim());
      expect((claims.exp ?? 0) - (claims.nbf ?? claims.iat ?? 0)).toBe(3600);
    });
  });
});
