import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import {
  requestToken,
  TokenServerError,
  UnreachableServerError,
  type Fetch,
  type TokenResponse,
} from '../client-cli/src/client';
import {
  buildProgram,
  ExitCode,
  readEnvironment,
  run,
  type Env,
  type ProgramDeps,
} from '../client-cli/src/program';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0LnVzZXJAZXhhbXBsZS5jb20ifQ.c2lnbmF0dXJl';

const TOKEN_ANSWER: TokenResponse = {
  token: TOKEN,
  room_name: 'lobby',
  identity: 'test.user@example.com',
  expires_at: '2030-01-02T03:04:05.000Z',
};

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/** One request the fake fetch received. */
interface SentRequest {
  url: string;
  init: RequestInit;
  body: unknown;
}

/** A fetch that records what it is asked and answers with `answer()`. */
function fakeFetch(
  answer: () => Promise<Response> | Response = () => jsonResponse(200, TOKEN_ANSWER),
): {
  fetch: Fetch;
  requests: SentRequest[];
} {
  const requests: SentRequest[] = [];
  const fetch: Fetch = async (url, init) => {
    requests.push({ url, init, body: JSON.parse(String(init.body)) });
    return answer();
  };
  return { fetch, requests };
}

interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  requests: SentRequest[];
}

/** Runs the CLI in-process with a fake fetch and captured output. */
async function runCli(
  args: string[],
  setup: { env?: Env; answer?: () => Promise<Response> | Response } = {},
): Promise<CliRun> {
  const { fetch, requests } = fakeFetch(setup.answer);
  let stdout = '';
  let stderr = '';
  const deps: ProgramDeps = {
    fetch,
    env: setup.env ?? {},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  };
  const exitCode = await run(['node', 'request-token', ...args], deps);
  return { exitCode, stdout, stderr, requests };
}

describe('request-token', () => {
  describe('without options', () => {
    it('asks http://localhost:8002/token for the test user', async () => {
      const { exitCode, requests } = await runCli([]);

      expect(exitCode).toBe(ExitCode.Success);
      expect(requests).toHaveLength(1);
      const [request] = requests;
      expect(request?.url).toBe('http://localhost:8002/token');
      expect(request?.init.method).toBe('POST');
      expect(new Headers(request?.init.headers).get('content-type')).toBe('application/json');
      expect(request?.body).toStrictEqual({
        user_email: 'test.user@example.com',
        full_name: 'Test User',
      });
    });

    it('prints the room, identity, expiry and token and exits 0', async () => {
      const { exitCode, stdout, stderr } = await runCli([]);

      expect(exitCode).toBe(0);
      expect(stdout).toBe(
        [
          'room:       lobby',
          'identity:   test.user@example.com',
          'expires at: 2030-01-02T03:04:05.000Z',
          `token:      ${TOKEN}`,
          '',
        ].join('\n'),
      );
      expect(stderr).toBe('');
    });
  });

  describe('with --email, --name, --room and --user-id', () => {
    it('sends them as user_email, full_name, room_name and user_id', async () => {
      const { exitCode, requests } = await runCli([
        '--email',
        'ada@example.com',
        '--name',
        'Ada Lovelace',
        '--room',
        'engine-room',
        '--user-id',
        'ada-1815',
      ]);

      expect(exitCode).toBe(0);
      expect(requests[0]?.body).toStrictEqual({
        user_email: 'ada@example.com',
        full_name: 'Ada Lovelace',
        room_name: 'engine-room',
        user_id: 'ada-1815',
      });
    });
  });

  describe('when the server answers with a server_url', () => {
    it('prints it in the summary', async () => {
      const { stdout } = await runCli([], {
        answer: () =>
          jsonResponse(200, { ...TOKEN_ANSWER, server_url: 'wss://livekit.example.com' }),
      });

      expect(stdout).toContain('server URL: wss://livekit.example.com\n');
    });
  });

  describe('with --json', () => {
    it("prints the server's JSON unchanged, and nothing else", async () => {
      // Odd spacing and an unknown field: proof the body is passed through, not re-serialised.
      const body = `{ "token": "${TOKEN}", "room_name": "lobby", "identity": "id-1", "expires_at": "2030-01-02T03:04:05Z", "extra": [1, 2] }`;
      const { exitCode, stdout, stderr } = await runCli(['--json'], {
        answer: () => new Response(body, { status: 200 }),
      });

      expect(exitCode).toBe(0);
      expect(stdout).toBe(`${body}\n`);
      expect(stderr).toBe('');
    });
  });

  describe('with --quiet', () => {
    it('prints only the token and a newline', async () => {
      const { exitCode, stdout, stderr } = await runCli(['--quiet']);

      expect(exitCode).toBe(0);
      expect(stdout).toBe(`${TOKEN}\n`);
      expect(stderr).toBe('');
    });
  });

  describe('choosing the token server', () => {
    it.each<[string, string[], Env, string]>([
      [
        '--server over TOKEN_SERVER_URL and TOKEN_SERVER_PORT',
        ['--server', 'http://cli.example.com:9000'],
        { TOKEN_SERVER_URL: 'http://env.example.com', TOKEN_SERVER_PORT: '7000' },
        'http://cli.example.com:9000/token',
      ],
      [
        'TOKEN_SERVER_URL over TOKEN_SERVER_PORT',
        [],
        { TOKEN_SERVER_URL: 'https://env.example.com', TOKEN_SERVER_PORT: '7000' },
        'https://env.example.com/token',
      ],
      [
        'localhost on TOKEN_SERVER_PORT without a URL',
        [],
        { TOKEN_SERVER_PORT: '7000' },
        'http://localhost:7000/token',
      ],
      [
        'a blank TOKEN_SERVER_URL as unset',
        [],
        { TOKEN_SERVER_URL: '  ', TOKEN_SERVER_PORT: '7000' },
        'http://localhost:7000/token',
      ],
      ['localhost:8002 without either', [], {}, 'http://localhost:8002/token'],
      [
        'a --server with a path prefix and trailing slash',
        ['--server', 'https://example.com/livekit/'],
        {},
        'https://example.com/livekit/token',
      ],
    ])('takes %s', async (_case, args, env, expectedUrl) => {
      const { exitCode, requests } = await runCli(args, { env });

      expect(exitCode).toBe(0);
      expect(requests.map((request) => request.url)).toStrictEqual([expectedUrl]);
    });

    it.each<[string, Env]>([
      ['TOKEN_SERVER_URL is not http(s)', { TOKEN_SERVER_URL: 'localhost:8002' }],
      ['TOKEN_SERVER_PORT is 0', { TOKEN_SERVER_PORT: '0' }],
      ['TOKEN_SERVER_PORT is not a number', { TOKEN_SERVER_PORT: 'eighty' }],
    ])('exits 2 without sending anything when %s', async (_case, env) => {
      const { exitCode, stdout, stderr, requests } = await runCli([], { env });

      expect(exitCode).toBe(ExitCode.Usage);
      expect(stderr).toMatch(/^error: TOKEN_SERVER_(URL|PORT)/);
      expect(stdout).toBe('');
      expect(requests).toHaveLength(0);
    });
  });

  describe('when the server is unreachable', () => {
    it('exits 1 naming the URL, the reason and how to start the server', async () => {
      const { exitCode, stdout, stderr } = await runCli(['--server', 'http://127.0.0.1:9'], {
        answer: () => {
          throw new TypeError('fetch failed', {
            cause: new Error('connect ECONNREFUSED 127.0.0.1:9'),
          });
        },
      });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stdout).toBe('');
      expect(stderr).toContain(
        'could not reach the token server at http://127.0.0.1:9 (connect ECONNREFUSED 127.0.0.1:9)',
      );
      expect(stderr).toContain('./start_token_server.sh');
      expect(stderr).toContain('--server');
      expect(stderr).toContain('TOKEN_SERVER_URL');
    });
  });

  describe('when the server answers with an error', () => {
    it("exits 1 with the server's status, code, message and details", async () => {
      const { exitCode, stdout, stderr } = await runCli([], {
        answer: () =>
          jsonResponse(400, {
            error: {
              code: 'VALIDATION_ERROR',
              message: 'The request is invalid.',
              details: [{ field: 'room_name', message: 'room_name is too long' }],
            },
          }),
      });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        'error: the token server answered 400 VALIDATION_ERROR: The request is invalid.\n' +
          '  - room_name: room_name is too long\n',
      );
    });
  });

  describe('with invalid options', () => {
    it.each<[string, string[], RegExp]>([
      ['a bad email', ['--email', 'not-an-email'], /--email <email>.*'not-an-email' is invalid/],
      ['an empty name', ['--name', ''], /--name <name>.* is invalid/],
      ['a blank room', ['--room', ' '], /--room <room>.* is invalid/],
      ['a --server that is not http(s)', ['--server', 'ftp://example.com'], /--server <url>/],
      ['a --server that is not a URL', ['--server', 'localhost:8002'], /--server <url>/],
      [
        'a --server with credentials',
        ['--server', 'http://u:p@example.com'],
        /user name or password/,
      ],
      ['an unknown option', ['--bogus'], /unknown option '--bogus'/],
      ['a stray argument', ['lobby'], /too many arguments/],
      [
        '--json with --quiet',
        ['--json', '--quiet'],
        /'--json' cannot be used with option '--quiet'/,
      ],
    ])('exits 2 with usage on stderr and sends nothing, given %s', async (_case, args, message) => {
      const { exitCode, stdout, stderr, requests } = await runCli(args);

      expect(exitCode).toBe(ExitCode.Usage);
      expect(stderr).toMatch(message);
      expect(stderr).toContain('Usage: request-token [options]');
      expect(stdout).toBe('');
      expect(requests).toHaveLength(0);
    });
  });

  describe('with --help', () => {
    it('prints usage, options and exit codes on stdout and exits 0 without sending anything', async () => {
      const { exitCode, stdout, stderr, requests } = await runCli(['--help']);

      expect(exitCode).toBe(0);
      expect(stdout).toContain('Usage: request-token [options]');
      expect(stdout).toContain('--quiet');
      expect(stdout).toContain('Exit codes:');
      expect(stderr).toBe('');
      expect(requests).toHaveLength(0);
    });
  });
});

describe('buildProgram', () => {
  /** Parses `args` with commander's errors thrown, and returns what was thrown. */
  async function commanderError(args: string[]): Promise<CommanderError> {
    const { fetch } = fakeFetch();
    const program = buildProgram({ fetch, env: {}, stdout: () => {}, stderr: () => {} });
    const error: unknown = await program
      .exitOverride()
      .parseAsync(args, { from: 'user' })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    if (!(error instanceof CommanderError))
      throw new Error(`expected a CommanderError, got ${String(error)}`);
    return error;
  }

  it.each([
    [['--bogus'], 'commander.unknownOption'],
    [['--email', 'nope'], 'commander.invalidArgument'],
    [['--json', '--quiet'], 'commander.conflictingOption'],
    [['--help'], 'commander.helpDisplayed'],
  ])('rejects %j with %s', async (args, code) => {
    expect((await commanderError(args)).code).toBe(code);
  });

  it('rejects TOKEN_SERVER_PORT=0 with request-token.invalidEnvironment and exit code 2', async () => {
    const { fetch, requests } = fakeFetch();
    const program = buildProgram({
      fetch,
      env: { TOKEN_SERVER_PORT: '0' },
      stdout: () => {},
      stderr: () => {},
    }).exitOverride();

    await expect(program.parseAsync([], { from: 'user' })).rejects.toMatchObject({
      code: 'request-token.invalidEnvironment',
      exitCode: 2,
    });
    expect(requests).toHaveLength(0);
  });
});

describe('requestToken', () => {
  const options = { serverUrl: 'http://tokens.test', email: 'ada@example.com', fullName: 'Ada' };

  it('returns the parsed answer and its text as received', async () => {
    const text = JSON.stringify(TOKEN_ANSWER);
    const { fetch } = fakeFetch(() => new Response(text, { status: 200 }));

    await expect(requestToken(options, fetch)).resolves.toStrictEqual({
      response: TOKEN_ANSWER,
      responseText: text,
    });
  });

  describe('when fetch rejects', () => {
    it('throws UnreachableServerError with the server URL and the underlying cause', async () => {
      const { fetch } = fakeFetch(() => {
        throw new TypeError('fetch failed', {
          cause: new Error('getaddrinfo ENOTFOUND tokens.test'),
        });
      });

      const error: unknown = await requestToken(options, fetch).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(UnreachableServerError);
      expect(error).toMatchObject({
        serverUrl: 'http://tokens.test',
        reason: 'getaddrinfo ENOTFOUND tokens.test',
      });
    });
  });

  describe('when the server does not answer in time', () => {
    it('aborts the request and throws UnreachableServerError', async () => {
      // Like a server that accepts the connection and never answers: only the signal ends it.
      const fetch: Fetch = (_url, init) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        });

      const error: unknown = await requestToken({ ...options, timeoutMs: 50 }, fetch).catch(
        (thrown: unknown) => thrown,
      );

      expect(error).toBeInstanceOf(UnreachableServerError);
      expect(error).toMatchObject({ reason: 'no answer within 0.05 s' });
    });
  });

  describe('when the server answers with an error', () => {
    it('throws TokenServerError with its status, code, message and details', async () => {
      const { fetch } = fakeFetch(() =>
        jsonResponse(429, {
          error: {
            code: 'RATE_LIMITED',
            message: 'Slow down.',
            details: [{ field: 'user_email', message: 'too many requests' }, 'try later', 42],
          },
        }),
      );

      const error: unknown = await requestToken(options, fetch).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(TokenServerError);
      expect(error).toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
        message: 'Slow down.',
        details: [{ field: 'user_email', message: 'too many requests' }, { message: 'try later' }],
      });
    });
  });

  describe('when the answer is not the token server JSON', () => {
    it.each<[string, () => Response, number]>([
      [
        'an HTML error page',
        () => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
        502,
      ],
      [
        'a 404 with JSON of another shape',
        () => jsonResponse(404, { message: 'no such route' }),
        404,
      ],
      ['a 200 without a token', () => jsonResponse(200, { ...TOKEN_ANSWER, token: '' }), 200],
      ['a 200 that is not JSON', () => new Response('OK', { status: 200 }), 200],
    ])('throws TokenServerError with UNEXPECTED_RESPONSE for %s', async (_case, answer, status) => {
      const { fetch } = fakeFetch(answer);

      const error: unknown = await requestToken(options, fetch).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(TokenServerError);
      expect(error).toMatchObject({ status, code: 'UNEXPECTED_RESPONSE' });
      expect((error as Error).message).toContain('http://tokens.test');
    });
  });
});

describe('readEnvironment', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'request-token-env-'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('overlays .env in the directory with the environment, which wins', () => {
    writeFileSync(
      join(directory, '.env'),
      'TOKEN_SERVER_PORT=7000\nTOKEN_SERVER_URL=http://from-file.example.com\n',
    );
    const processEnv: Env = { TOKEN_SERVER_URL: 'http://from-env.example.com' };

    expect(readEnvironment(directory, processEnv)).toStrictEqual({
      TOKEN_SERVER_PORT: '7000',
      TOKEN_SERVER_URL: 'http://from-env.example.com',
    });
    expect(processEnv).toStrictEqual({ TOKEN_SERVER_URL: 'http://from-env.example.com' });
  });

  it('returns the environment alone when there is no .env', () => {
    expect(readEnvironment(directory, { TOKEN_SERVER_PORT: '7000' })).toStrictEqual({
      TOKEN_SERVER_PORT: '7000',
    });
  });
});
