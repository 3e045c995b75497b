// What the CLI takes from its environment: `.env` and the real environment, which token
// server to ask, and which caller credentials to send (flags first, then variables).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultServerUrl,
  readEnvironment,
  resolveCallerCredentials,
  UsageError,
  type Env,
} from '../../client-cli/src/environment';
import { buildProgram, ExitCode } from '../../client-cli/src/program';
import {
  API_KEY,
  credentialHeaders,
  errorResponse,
  expectOnlyTheProblem,
  fakeFetch,
  jsonResponse,
  OTHER_API_KEY,
  runCli,
  SESSION_JWT,
  TOKEN_ANSWER,
  type CredentialHeaders,
} from '../support/fake-fetch';

/** What `action` throws; fails the test when it throws nothing. */
function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but none was thrown');
}

describe('request-token choosing the token server', () => {
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
    expectOnlyTheProblem(stderr);
    expect(stdout).toBe('');
    expect(requests).toHaveLength(0);
  });
});

describe('request-token authenticating', () => {
  it.each<[string, string[], Env, CredentialHeaders]>([
    ['nothing without flags or variables', [], {}, { apiKey: null, authorization: null }],
    [
      '--api-key as X-API-Key',
      ['--api-key', API_KEY],
      {},
      { apiKey: API_KEY, authorization: null },
    ],
    [
      '--bearer as Authorization: Bearer',
      ['--bearer', SESSION_JWT],
      {},
      { apiKey: null, authorization: `Bearer ${SESSION_JWT}` },
    ],
    [
      'TOKEN_SERVER_API_KEY as X-API-Key',
      [],
      { TOKEN_SERVER_API_KEY: API_KEY },
      { apiKey: API_KEY, authorization: null },
    ],
    [
      'TOKEN_SERVER_BEARER as Authorization: Bearer',
      [],
      { TOKEN_SERVER_BEARER: SESSION_JWT },
      { apiKey: null, authorization: `Bearer ${SESSION_JWT}` },
    ],
    [
      'nothing for a blank TOKEN_SERVER_API_KEY',
      [],
      { TOKEN_SERVER_API_KEY: '  ' },
      { apiKey: null, authorization: null },
    ],
    [
      '--api-key over TOKEN_SERVER_API_KEY',
      ['--api-key', API_KEY],
      { TOKEN_SERVER_API_KEY: OTHER_API_KEY },
      { apiKey: API_KEY, authorization: null },
    ],
    [
      '--api-key alone over TOKEN_SERVER_BEARER',
      ['--api-key', API_KEY],
      { TOKEN_SERVER_BEARER: SESSION_JWT },
      { apiKey: API_KEY, authorization: null },
    ],
    [
      '--bearer alone over both variables',
      ['--bearer', SESSION_JWT],
      { TOKEN_SERVER_API_KEY: OTHER_API_KEY, TOKEN_SERVER_BEARER: 'eyJ.stale.jwt' },
      { apiKey: null, authorization: `Bearer ${SESSION_JWT}` },
    ],
    [
      'a trimmed --api-key',
      ['--api-key', ` ${API_KEY}\t`],
      {},
      { apiKey: API_KEY, authorization: null },
    ],
  ])('sends %s', async (_case, args, env, expected) => {
    const { exitCode, stdout, stderr, requests } = await runCli(args, { env });

    expect(exitCode).toBe(ExitCode.Success);
    expect(requests).toHaveLength(1);
    expect(credentialHeaders(requests[0])).toStrictEqual(expected);
    // In a header only: never in the URL or the body, and never printed.
    expect(requests[0]?.url).toBe('http://localhost:8002/token');
    expect(JSON.stringify(requests[0]?.body)).not.toContain('tsk_live_');
    expect(stdout + stderr).not.toContain('tsk_live_');
    expect(stdout + stderr).not.toContain(SESSION_JWT);
  });

  it.each<[string, string[], Env, RegExp, string]>([
    [
      '--api-key with --bearer',
      ['--api-key', API_KEY, '--bearer', SESSION_JWT],
      {},
      /^error: option '--api-key <key>' cannot be used with option '--bearer <jwt>'\n/,
      API_KEY,
    ],
    [
      'TOKEN_SERVER_API_KEY with TOKEN_SERVER_BEARER',
      [],
      { TOKEN_SERVER_API_KEY: API_KEY, TOKEN_SERVER_BEARER: SESSION_JWT },
      /^error: TOKEN_SERVER_API_KEY and TOKEN_SERVER_BEARER are both set/,
      API_KEY,
    ],
    ['an empty --api-key', ['--api-key', ''], {}, /^error: --api-key is empty\./, ''],
    ['a blank --bearer', ['--bearer', ' '], {}, /^error: --bearer is empty\./, ''],
    [
      'an --api-key with a line break',
      ['--api-key', `${API_KEY}\nX-Injected: yes`],
      {},
      /^error: the API key from --api-key can hold only printable ASCII characters/,
      API_KEY,
    ],
    [
      'a TOKEN_SERVER_API_KEY with a non-ASCII character',
      [],
      { TOKEN_SERVER_API_KEY: `${API_KEY}é` },
      /^error: the API key from TOKEN_SERVER_API_KEY can hold only printable ASCII/,
      API_KEY,
    ],
    [
      'a --bearer that starts with "Bearer "',
      ['--bearer', `Bearer ${SESSION_JWT}`],
      {},
      /^error: the JWT from --bearer .* without "Bearer "/,
      SESSION_JWT,
    ],
    [
      'a mistyped --apikey=<key>',
      [`--apikey=${API_KEY}`],
      {},
      /^error: unknown option '--apikey=…'\n/,
      API_KEY,
    ],
  ])(
    'exits 2 with the problem alone, sends nothing and does not show the secret, given %s',
    async (_case, args, env, message, secret) => {
      const { exitCode, stdout, stderr, requests } = await runCli(args, { env });

      expect(exitCode).toBe(ExitCode.Usage);
      expect(stderr).toMatch(message);
      expectOnlyTheProblem(stderr);
      expect(stdout).toBe('');
      expect(requests).toHaveLength(0);
      if (secret !== '') expect(stderr).not.toContain(secret);
      expect(stderr).not.toContain('tsk_live_');
    },
  );

  it.each<[string, () => Response]>([
    ['a token', () => jsonResponse(200, TOKEN_ANSWER)],
    ['401', () => errorResponse(401, 'INVALID_CREDENTIALS', 'The credentials are invalid.')],
    ['403', () => errorResponse(403, 'ROOM_NOT_ALLOWED', 'This room name is not allowed.')],
    ['429', () => errorResponse(429, 'RATE_LIMITED', 'Slow down.', { 'retry-after': '5' })],
    ['an HTML 502', () => new Response('<html>Bad Gateway</html>', { status: 502 })],
    [
      'a failed connection',
      () => {
        throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
      },
    ],
  ])('never prints the API key or the JWT, whether answered with %s', async (_case, answer) => {
    for (const args of [
      ['--api-key', API_KEY],
      ['--bearer', SESSION_JWT],
      ['--api-key', API_KEY, '--json'],
      ['--bearer', SESSION_JWT, '--quiet'],
    ]) {
      const { stdout, stderr } = await runCli(args, { answer });

      expect(stdout + stderr).not.toContain(API_KEY);
      expect(stdout + stderr).not.toContain(SESSION_JWT);
    }
  });
});

describe('buildProgram with an environment it cannot use', () => {
  it('rejects TOKEN_SERVER_API_KEY with TOKEN_SERVER_BEARER with request-token.conflictingCredentials and exit code 2', async () => {
    const { fetch, requests } = fakeFetch();
    const program = buildProgram({
      fetch,
      env: { TOKEN_SERVER_API_KEY: API_KEY, TOKEN_SERVER_BEARER: SESSION_JWT },
      stdout: () => {},
      stderr: () => {},
    }).exitOverride();

    await expect(program.parseAsync([], { from: 'user' })).rejects.toMatchObject({
      code: 'request-token.conflictingCredentials',
      exitCode: 2,
    });
    expect(requests).toHaveLength(0);
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

describe('defaultServerUrl', () => {
  it.each<[string, Env, string]>([
    [
      'TOKEN_SERVER_URL set',
      { TOKEN_SERVER_URL: 'http://tokens.test:9000/' },
      'http://tokens.test:9000',
    ],
    ['TOKEN_SERVER_PORT set', { TOKEN_SERVER_PORT: ' 7000 ' }, 'http://localhost:7000'],
    ['neither set', {}, 'http://localhost:8002'],
  ])('reads %s', (_case, env, expected) => {
    expect(defaultServerUrl(env)).toBe(expected);
  });

  it('throws UsageError with request-token.invalidEnvironment, quoting the bad URL', () => {
    const error = thrownBy(() => defaultServerUrl({ TOKEN_SERVER_URL: 'localhost:8002' }));

    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({
      code: 'request-token.invalidEnvironment',
      message:
        'TOKEN_SERVER_URL "localhost:8002" is invalid. Expected an http:// or https:// URL like http://localhost:8002.',
    });
  });
});

describe('resolveCallerCredentials', () => {
  it('throws UsageError with request-token.invalidCredentials, without the value', () => {
    const error = thrownBy(() =>
      resolveCallerCredentials({}, { TOKEN_SERVER_BEARER: `Bearer ${SESSION_JWT}` }),
    );

    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: 'request-token.invalidCredentials' });
    expect((error as Error).message).not.toContain(SESSION_JWT);
  });

  it('takes --invite, trimmed, over every other credential and variable', () => {
    const env = { TOKEN_SERVER_API_KEY: API_KEY, TOKEN_SERVER_BEARER: SESSION_JWT };

    expect(resolveCallerCredentials({ invite: ' kfmw-ptra-hxce-bnqd ' }, env)).toStrictEqual({
      kind: 'invite',
      code: 'kfmw-ptra-hxce-bnqd',
    });
  });

  it('refuses an --invite that could not travel as a header, without the value', () => {
    const error = thrownBy(() => resolveCallerCredentials({ invite: 'wxyz\u0000qrst' }, {}));

    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: 'request-token.invalidCredentials' });
    expect((error as Error).message).not.toContain('qrst');
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

  it('takes credentials from .env, with the environment winning', () => {
    writeFileSync(
      join(directory, '.env'),
      `TOKEN_SERVER_API_KEY=${OTHER_API_KEY}\nTOKEN_SERVER_BEARER=${SESSION_JWT}\n`,
    );

    expect(readEnvironment(directory, { TOKEN_SERVER_API_KEY: API_KEY })).toStrictEqual({
      TOKEN_SERVER_API_KEY: API_KEY,
      TOKEN_SERVER_BEARER: SESSION_JWT,
    });
  });

  it('returns the environment alone when there is no .env', () => {
    expect(readEnvironment(directory, { TOKEN_SERVER_PORT: '7000' })).toStrictEqual({
      TOKEN_SERVER_PORT: '7000',
    });
  });
});

describe('defaultServerUrl with credentials in TOKEN_SERVER_URL', () => {
  it.each([
    'http://user:hunter2-secret@localhost:8002',
    'http://localhost:8002/?key=hunter2-secret',
    'http://localhost:8002/#hunter2-secret',
  ])('refuses %s without echoing it', (url) => {
    expect(() => defaultServerUrl({ TOKEN_SERVER_URL: url })).toThrow(
      /^TOKEN_SERVER_URL is invalid\./,
    );
    try {
      defaultServerUrl({ TOKEN_SERVER_URL: url });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2-secret');
    }
  });
});
