import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
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
    it('prints room, identity, role, expiry, server URL and token, and exits 0', async () => {
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
      const result = await requestTokenCli(
        ['--json', '--server', serverUrl, '--room', 'demo', '--user-id', 'ada', ...NEW_OPTIONS],
        { cwd: workDirectory },
      );

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const body = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(body).toMatchObject({ role: 'viewer', room_name: 'demo', identity: 'ada' });
      const claims = await new TokenVerifier(DEV_API_KEY, DEV_API_SECRET).verify(
        String(body.token),
      );
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
      const result = await requestTokenCli(
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
      const result = await requestTokenCli(
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
      const script =
        'vars=$("$@") && eval "$vars" || exit 9; printf "%s\\n%s\\n" "$LIVEKIT_URL" "$LIVEKIT_TOKEN"';
      const result = await runProcess(
        'sh',
        ['-c', script, 'sh', process.execPath, CLI_ENTRY, '--env', '--server', serverUrl],
        { cwd: workDirectory, env: cleanEnv() },
      );

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const [url, token, end] = result.stdout.split('\n');
      expect(url).toBe(LIVEKIT_URL);
      expect(end).toBe('');
      const claims = await new TokenVerifier(DEV_API_KEY, DEV_API_SECRET).verify(token ?? '');
      expect(claims.sub).toBe('test.user@example.com');
    });
  });

  describe('with a --role the server keeps from the public', () => {
    it('exits 1 with 403 ROLE_NOT_ALLOWED and what to do', async () => {
      const result = await requestTokenCli(['--server', serverUrl, '--role', 'host'], {
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

/** One request the stub token server received. */
interface StubRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** How the stub answers one path: a status and a JSON body. */
type StubAnswer = (body: unknown) => { status: number; body: unknown };

/**
 * A stand-in token server on a loopback port that records what it is asked and answers each
 * path as told: the CLI's side of the contract, tested without the real server's rules.
 */
class StubTokenServer {
  readonly requests: StubRequest[] = [];
  answers: Record<string, StubAnswer> = {};
  readonly #server: Server;

  constructor() {
    this.#server = createHttpServer((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => {
        const body: unknown = text === '' ? undefined : JSON.parse(text);
        const path = req.url ?? '';
        this.requests.push({ method: req.method ?? '', path, headers: req.headers, body });
        const answer = this.answers[path]?.(body) ?? {
          status: 404,
          body: { error: { code: 'NOT_FOUND', message: 'No such route.' } },
        };
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
  }

  /** Listens on 127.0.0.1 and an ephemeral port; resolves to the base URL. */
  listen(): Promise<string> {
    return new Promise((resolvePromise) => {
      this.#server.listen(0, '127.0.0.1', () => {
        resolvePromise(`http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolvePromise) => this.#server.close(() => resolvePromise()));
  }
}

describe('request-token with roles, metadata, attributes, agents, --validate and --env, against a stub server (process)', () => {
  const STUB_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c3R1Yi1zaWduYXR1cmU';
  const CALLER_API_KEY = 'stub-caller-key-5e1d7c9a2b4f6038aa11';
  const TOKEN_ANSWER = {
    token: STUB_TOKEN,
    room_name: 'lobby',
    identity: 'ada',
    role: 'viewer',
    expires_at: '2030-01-02T03:04:05.000Z',
  };
  const VALIDATION_ANSWER = {
    valid: true,
    identity: 'ada',
    name: 'Ada Lovelace',
    room: 'lobby',
    expires_at: '2030-01-02T03:04:05.000Z',
    grants: { room: 'lobby', roomJoin: true, canSubscribe: true, canPublish: false },
    metadata: '{"lang":"en"}',
    attributes: { team: 'blue' },
    room_config: { agents: [{ agentName: 'support-bot' }] },
  };

  let workDirectory: string;
  let stub: StubTokenServer;
  let stubUrl: string;

  /** Answers /token with TOKEN_ANSWER plus `extra`, and /validate with VALIDATION_ANSWER. */
  function answerWith(extra: Record<string, unknown> = {}): void {
    stub.answers = {
      '/token': () => ({ status: 200, body: { ...TOKEN_ANSWER, ...extra } }),
      '/validate': () => ({ status: 200, body: VALIDATION_ANSWER }),
    };
  }

  /** Runs the CLI against the stub, and checks that the API key never shows. */
  async function requestTokenFromStub(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<ProcessResult> {
    const result = await requestTokenCli([...args, '--server', stubUrl], {
      cwd: workDirectory,
      env,
    });
    expect(result.stdout + result.stderr).not.toContain(CALLER_API_KEY);
    return result;
  }

  beforeAll(async () => {
    requireBuilt(CLI_ENTRY);
    workDirectory = mkdtempSync(join(tmpdir(), 'request-token-stub-'));
    stub = new StubTokenServer();
    stubUrl = await stub.listen();
  });

  beforeEach(() => {
    stub.requests.length = 0;
    answerWith();
  });

  afterAll(async () => {
    await stub.close();
    rmSync(workDirectory, { recursive: true, force: true });
  });

  describe('with --role, --metadata, --attribute, --agent, --agent-metadata and --ttl', () => {
    it('POSTs them to /token as JSON and prints the role and what it asked for', async () => {
      const result = await requestTokenFromStub([
        '--user-id',
        'ada',
        '--role',
        'viewer',
        '--metadata',
        '{"lang":"en"}',
        '--attribute',
        'team=blue',
        '--attribute',
        'filter=a=b',
        '--attribute',
        'note=',
        '--agent',
        'support-bot',
        '--agent-metadata',
        '{"topic":"billing"}',
        '--ttl',
        '600',
      ]);

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(stub.requests).toHaveLength(1);
      expect(stub.requests[0]).toMatchObject({ method: 'POST', path: '/token' });
      expect(stub.requests[0]?.headers['content-type']).toBe('application/json');
      expect(stub.requests[0]?.body).toStrictEqual({
        user_email: 'test.user@example.com',
        full_name: 'Test User',
        user_id: 'ada',
        role: 'viewer',
        metadata: '{"lang":"en"}',
        attributes: { team: 'blue', filter: 'a=b', note: '' },
        room_config: { agents: [{ agent_name: 'support-bot', metadata: '{"topic":"billing"}' }] },
        ttl_seconds: 600,
      });
      expect(result.stdout).toMatch(/^role: +viewer$/m);
      expect(result.stdout).toMatch(/^metadata: +\{"lang":"en"\}$/m);
      expect(result.stdout).toMatch(/^attributes: +\{"team":"blue","filter":"a=b","note":""\}$/m);
      expect(result.stdout).toMatch(/^agent: +support-bot$/m);
      expect(result.stdout).toMatch(/^agent metadata: +\{"topic":"billing"\}$/m);
    });
  });

  describe('with --validate', () => {
    it('POSTs the token to /validate with the caller API key, and prints what it holds', async () => {
      const result = await requestTokenFromStub(['--validate'], {
        TOKEN_SERVER_API_KEY: CALLER_API_KEY,
      });

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(stub.requests.map((request) => request.path)).toStrictEqual(['/token', '/validate']);
      const validation = stub.requests[1];
      expect(validation?.method).toBe('POST');
      expect(validation?.body).toStrictEqual({ token: STUB_TOKEN });
      expect(validation?.headers['x-api-key']).toBe(CALLER_API_KEY);
      expect(validation?.headers.authorization).toBeUndefined();
      expect(result.stdout).toContain(
        '\nvalidated: the token server accepts the token, which holds\n',
      );
      expect(result.stdout).toMatch(/^ {2}name: +Ada Lovelace$/m);
      expect(result.stdout).toMatch(
        /^ {2}grants: +\{"room":"lobby","roomJoin":true,"canSubscribe":true,"canPublish":false\}$/m,
      );
      expect(result.stdout).toMatch(
        /^ {2}room config: +\{"agents":\[\{"agentName":"support-bot"\}\]\}$/m,
      );
    });

    it('with --json, prints the token answer with the validation under "validation"', async () => {
      const result = await requestTokenFromStub(['--validate', '--json']);

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(JSON.parse(result.stdout)).toStrictEqual({
        ...TOKEN_ANSWER,
        validation: VALIDATION_ANSWER,
      });
    });

    it('exits 1 with the reason and nothing on stdout when /validate answers valid:false', async () => {
      answerWith({ server_url: 'wss://livekit.example.test' });
      stub.answers['/validate'] = () => ({
        status: 401,
        body: {
          valid: false,
          error: { code: 'BAD_SIGNATURE', message: 'The token signature is invalid.' },
        },
      });

      const result = await requestTokenFromStub(['--validate', '--env'], {
        TOKEN_SERVER_API_KEY: CALLER_API_KEY,
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'error: the token server issued a token, but /validate says it is not valid: BAD_SIGNATURE: The token signature is invalid.\n',
      );
    });

    it('exits 1 explaining a refusal of the caller at /validate', async () => {
      stub.answers['/validate'] = () => ({
        status: 401,
        body: { error: { code: 'INVALID_CREDENTIALS', message: 'The credentials are invalid.' } },
      });

      const result = await requestTokenFromStub(['--validate'], {
        TOKEN_SERVER_API_KEY: CALLER_API_KEY,
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^error: the token server answered \/validate with 401 INVALID_CREDENTIALS: .+\nthe token server refused the credentials: check the API key/,
      );
    });
  });

  describe('with --env', () => {
    /**
     * Runs `vars=$(request-token --env ...) && eval "$vars"` in sh, then prints the two
     * variables, or "unset". (A bare `eval "$(...)"` succeeds even when the command fails.)
     */
    function evalInShell(): Promise<ProcessResult> {
      const script =
        'vars=$("$@") && eval "$vars" || exit 9; printf "%s\\n%s\\n" "${LIVEKIT_URL-unset}" "${LIVEKIT_TOKEN-unset}"';
      return runProcess(
        'sh',
        ['-c', script, 'sh', process.execPath, CLI_ENTRY, '--env', '--server', stubUrl],
        { cwd: workDirectory, env: cleanEnv() },
      );
    }

    it.each([
      ['a plain URL', 'wss://livekit.example.test'],
      ['a URL with a query, a fragment and a quote', "wss://lk.example.test/it's?a=1&b=$HOME#x"],
    ])('prints two lines that sh can eval, given %s', async (_case, serverUrl) => {
      answerWith({ server_url: serverUrl });

      const result = await evalInShell();

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(`${serverUrl}\n${STUB_TOKEN}\n`);
    });

    it('prints lines a .env file reads back, quoted only where needed', async () => {
      answerWith({ server_url: 'wss://lk.example.test/rtc?a=1&b=2#x' });

      const result = await requestTokenFromStub(['--env']);

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(
        `LIVEKIT_URL='wss://lk.example.test/rtc?a=1&b=2#x'\nLIVEKIT_TOKEN=${STUB_TOKEN}\n`,
      );
      expect(parseDotenv(result.stdout)).toStrictEqual({
        LIVEKIT_URL: 'wss://lk.example.test/rtc?a=1&b=2#x',
        LIVEKIT_TOKEN: STUB_TOKEN,
      });
    });

    it('with --validate, keeps stdout eval-able and prints the validation on stderr', async () => {
      answerWith({ server_url: 'wss://livekit.example.test' });

      const result = await requestTokenFromStub(['--env', '--validate']);

      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(
        `LIVEKIT_URL=wss://livekit.example.test\nLIVEKIT_TOKEN=${STUB_TOKEN}\n`,
      );
      expect(result.stderr).toMatch(
        /^validated: the token server accepts the token, which holds\n/,
      );
      expect(result.stderr).toMatch(/^ {2}identity: +ada$/m);
    });

    it('exits 1 saying the server has no LIVEKIT_URL, with nothing on stdout, when the answer has no server_url', async () => {
      const result = await requestTokenFromStub(['--env', '--validate']);

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `error: the token server at ${stubUrl} has no LIVEKIT_URL set, so its answer has no server_url for --env to print.\n` +
          "Set LIVEKIT_URL in the token server's environment or .env and restart it, or leave out --env.\n",
      );
      expect(stub.requests.map((request) => request.path)).toStrictEqual(['/token']);
    });

    it('stops `vars=$(request-token --env) && eval "$vars"` when there is no server_url', async () => {
      const result = await evalInShell();

      expect(result.exitCode).toBe(9);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('has no LIVEKIT_URL set');
    });
  });

  describe('with invalid new options', () => {
    it.each<[string, string[], RegExp]>([
      ['an --attribute without "="', ['--attribute', 'team'], /Expected key=value/],
      ['an --attribute without a key', ['--attribute', '=blue'], /Expected a key before "="/],
      [
        'an --attribute key given twice',
        ['--attribute', 'team=blue', '--attribute', 'team=red'],
        /The key "team" is given twice/,
      ],
      [
        '--agent-metadata without --agent',
        ['--agent-metadata', '{}'],
        /^error: --agent-metadata needs --agent <name>/,
      ],
      ['a --ttl of 0', ['--ttl', '0'], /Expected a positive whole number of seconds/],
      ['--env with --json', ['--env', '--json'], /'--env' cannot be used with option '--json'/],
    ])('exits 2 with usage and sends nothing, given %s', async (_case, args, message) => {
      const result = await requestTokenFromStub(args, { TOKEN_SERVER_API_KEY: CALLER_API_KEY });

      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('Usage: request-token [options]');
      expect(stub.requests).toHaveLength(0);
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
      const result = await requestTokenCli(
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
      const result = await requestTokenCli(
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
      const result = await requestTokenCli(['--server', server?.url ?? '', '--ttl', '3601'], {
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
      const result = await requestTokenCli(
        ['--quiet', '--server', server?.url ?? '', '--ttl', '3600'],
        { cwd: workDirectory },
      );

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const claims = await new TokenVerifier(DEV_API_KEY, DEV_API_SECRET).verify(
        result.stdout.trim(),
      );
      expect((claims.exp ?? 0) - (claims.nbf ?? claims.iat ?? 0)).toBe(3600);
    });
  });
});
