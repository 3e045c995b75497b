// The request-token program as a whole, run in-process with a fake fetch: what it sends for
// which options, the --validate round trip, --help and --version, and the options commander
// itself refuses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { buildProgram, ExitCode } from '../../client-cli/src/program';
import type { Env } from '../../client-cli/src/environment';
import {
  API_KEY,
  byPath,
  credentialHeaders,
  errorResponse,
  expectOnlyTheProblem,
  fakeFetch,
  jsonResponse,
  runCli,
  SESSION_JWT,
  TOKEN,
  TOKEN_ANSWER,
  VALIDATION_ANSWER,
  type Answer,
  type CredentialHeaders,
} from '../support/fake-fetch';

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

  describe('with --role, --metadata, --attribute, --agent, --agent-metadata and --ttl', () => {
    it('sends them as role, metadata, attributes, room_config and ttl_seconds', async () => {
      const { exitCode, stderr, requests } = await runCli([
        '--role',
        'viewer',
        '--metadata',
        '{"lang":"en"}',
        '--attribute',
        'team=blue',
        '--attribute',
        'seat=12',
        '--agent',
        'support-bot',
        '--agent-metadata',
        '{"topic":"billing"}',
        '--ttl',
        '600',
      ]);

      expect(stderr).toBe('');
      expect(exitCode).toBe(ExitCode.Success);
      expect(requests).toHaveLength(1);
      expect(requests[0]?.body).toStrictEqual({
        user_email: 'test.user@example.com',
        full_name: 'Test User',
        role: 'viewer',
        metadata: '{"lang":"en"}',
        attributes: { team: 'blue', seat: '12' },
        room_config: { agents: [{ agent_name: 'support-bot', metadata: '{"topic":"billing"}' }] },
        ttl_seconds: 600,
      });
    });

    it('sends an --agent without --agent-metadata as agent_name alone', async () => {
      const { exitCode, requests } = await runCli(['--agent', 'support-bot']);

      expect(exitCode).toBe(ExitCode.Success);
      expect(requests[0]?.body).toStrictEqual({
        user_email: 'test.user@example.com',
        full_name: 'Test User',
        room_config: { agents: [{ agent_name: 'support-bot' }] },
      });
    });
  });
});

describe('request-token --validate', () => {
  const issuesAndValidates = byPath({
    '/token': () => jsonResponse(200, { ...TOKEN_ANSWER, role: 'viewer' }),
    '/validate': () => jsonResponse(200, VALIDATION_ANSWER),
  });

  it.each<[string, string[], Env, CredentialHeaders]>([
    ['no credentials', [], {}, { apiKey: null, authorization: null }],
    ['the --api-key', ['--api-key', API_KEY], {}, { apiKey: API_KEY, authorization: null }],
    [
      'TOKEN_SERVER_API_KEY',
      [],
      { TOKEN_SERVER_API_KEY: API_KEY },
      { apiKey: API_KEY, authorization: null },
    ],
    [
      'TOKEN_SERVER_BEARER',
      [],
      { TOKEN_SERVER_BEARER: SESSION_JWT },
      { apiKey: null, authorization: `Bearer ${SESSION_JWT}` },
    ],
  ])(
    'POSTs the new token to /validate after /token, with %s as for /token',
    async (_case, args, env, expected) => {
      const { exitCode, stdout, stderr, requests } = await runCli(['--validate', ...args], {
        env,
        answer: issuesAndValidates,
      });

      expect(stderr).toBe('');
      expect(exitCode).toBe(ExitCode.Success);
      expect(requests.map((request) => request.url)).toStrictEqual([
        'http://localhost:8002/token',
        'http://localhost:8002/validate',
      ]);
      const validation = requests[1];
      expect(validation?.init.method).toBe('POST');
      expect(new Headers(validation?.init.headers).get('content-type')).toBe('application/json');
      expect(validation?.body).toStrictEqual({ token: TOKEN });
      expect(credentialHeaders(validation)).toStrictEqual(expected);
      expect(stdout + stderr).not.toContain('tsk_live_');
      expect(stdout + stderr).not.toContain(SESSION_JWT);
    },
  );

  it('asks /validate under the same path prefix as /token', async () => {
    const { requests } = await runCli(['--validate', '--server', 'https://example.com/livekit/'], {
      answer: issuesAndValidates,
    });

    expect(requests.map((request) => request.url)).toStrictEqual([
      'https://example.com/livekit/token',
      'https://example.com/livekit/validate',
    ]);
  });

  it('does not ask /validate when /token refuses', async () => {
    const { exitCode, stdout, requests } = await runCli(['--validate'], {
      answer: byPath({
        '/token': () => errorResponse(403, 'ROLE_NOT_ALLOWED', 'You may not take this role.'),
        '/validate': issuesAndValidates,
      }),
    });

    expect(exitCode).toBe(ExitCode.RequestFailed);
    expect(stdout).toBe('');
    expect(requests).toHaveLength(1);
  });

  it.each<[string, Answer]>([
    ['a validation', () => jsonResponse(200, VALIDATION_ANSWER)],
    ['valid:false', () => jsonResponse(401, { valid: false, error: { code: 'X', message: 'x' } })],
    ['401', () => errorResponse(401, 'INVALID_CREDENTIALS', 'The credentials are invalid.')],
    ['429', () => errorResponse(429, 'RATE_LIMITED', 'Slow down.')],
  ])('never prints the API key or the JWT, whether /validate answers %s', async (_case, answer) => {
    for (const args of [
      ['--api-key', API_KEY],
      ['--bearer', SESSION_JWT, '--json'],
      ['--api-key', API_KEY, '--env'],
    ]) {
      const { stdout, stderr, requests } = await runCli(['--validate', ...args], {
        answer: byPath({
          '/token': () => jsonResponse(200, { ...TOKEN_ANSWER, server_url: 'wss://lk.test' }),
          '/validate': answer,
        }),
      });

      expect(requests).toHaveLength(2);
      expect(stdout + stderr).not.toContain(API_KEY);
      expect(stdout + stderr).not.toContain(SESSION_JWT);
    }
  });
});

describe('request-token with --help', () => {
  it('prints usage, options and exit codes on stdout and exits 0 without sending anything', async () => {
    const { exitCode, stdout, stderr, requests } = await runCli(['--help']);

    expect(exitCode).toBe(0);
    expect(stdout).toContain('Usage: request-token [options]');
    expect(stdout).toContain('--quiet');
    expect(stdout).toContain('--api-key <key>');
    expect(stdout).toContain('--bearer <jwt>');
    expect(stdout).toContain('$TOKEN_SERVER_API_KEY');
    expect(stdout).toContain('$TOKEN_SERVER_BEARER');
    for (const option of [
      '--role <name>',
      '--metadata <text>',
      '--attribute <key=value>',
      '--agent <name>',
      '--agent-metadata <text>',
      '--ttl <seconds>',
      '--validate',
      '--env',
    ]) {
      expect(stdout).toContain(`\n  ${option} `);
    }
    expect(stdout).toMatch(
      /--attribute <key=value> +a participant attribute to put in the token; repeat/,
    );
    // Not a bare eval "$(...)", which goes on as if all were well when request-token fails.
    expect(stdout).toContain('vars=$(request-token --env --room demo) && eval "$vars"');
    expect(stdout).toContain('/validate refused the token, or --env got no server_url');
    expect(stdout).toContain('Exit codes:');
    expect(stdout).toMatch(/\n {2}-V, --version +print the version of request-token and exit\n/);
    expect(stdout).toContain('0  the token was printed (or the help, or the version)');
    expect(stderr).toBe('');
    expect(requests).toHaveLength(0);
  });

  it('says which name and email are sent without --name and --email, with and without a login', async () => {
    const { stdout } = await runCli(['--help']);

    expect(stdout).toMatch(
      /\n {2}--email <email> +the participant's email address \(default:\s+test\.user@example\.com; none with --bearer, whose\s+login gives the identity\)\n/,
    );
    expect(stdout).toMatch(
      /\n {2}--name <name> +the participant's display name \(default: "Test User";\s+none with --bearer, whose login's name the server\s+uses\)\n/,
    );
    expect(stdout).toContain(
      'With --bearer (or TOKEN_SERVER_BEARER), --email and --name are sent only when\ngiven: a server with AUTH_MODE=jwt takes the identity and the name from the login.\n',
    );
  });

  it('says what the server does without --room, which sends no room_name', async () => {
    const { stdout } = await runCli(['--help']);
    const { requests } = await runCli([]);

    // Commander wraps the description at 80 columns, so any run of spaces may be a break.
    expect(stdout).toMatch(
      /\n {2}--room <room> +the room to join \(default: the server makes a new\s+room, room-<96 random bits>\)\n/,
    );
    expect(requests[0]?.body).not.toHaveProperty('room_name');
  });
});

describe('request-token with --version or -V', () => {
  /** Read here as the CLI reads it, so that a version hard-coded in the CLI fails this test. */
  const packageVersion = (
    JSON.parse(readFileSync(join(__dirname, '..', '..', 'client-cli', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

  it.each([['--version'], ['-V']])(
    'given %s, prints the version in client-cli/package.json and exits 0 without sending anything',
    async (flag) => {
      const { exitCode, stdout, stderr, requests } = await runCli([flag, '--room', 'demo']);

      expect(exitCode).toBe(ExitCode.Success);
      expect(stdout).toBe(`${packageVersion}\n`);
      expect(stderr).toBe('');
      expect(requests).toHaveLength(0);
    },
  );
});

describe('request-token with options that do not go together, or that it does not know', () => {
  it.each<[string, string[], RegExp]>([
    ['an unknown option', ['--bogus'], /unknown option '--bogus'/],
    ['a mistyped option', ['--jsn'], /^error: unknown option '--jsn'\n\(Did you mean --json\?\)\n/],
    ['an option without its value', ['--room'], /option '--room <room>' argument missing/],
    ['a stray argument', ['lobby'], /too many arguments/],
    ['--json with --quiet', ['--json', '--quiet'], /'--json' cannot be used with option '--quiet'/],
    [
      '--agent-metadata without --agent',
      ['--agent-metadata', '{"topic":"billing"}'],
      /^error: --agent-metadata needs --agent <name>: it is the metadata of that agent's job\.\n/,
    ],
    ['--env with --json', ['--env', '--json'], /'--env' cannot be used with option '--json'/],
    ['--json with --env', ['--json', '--env'], /'--env' cannot be used with option '--json'/],
    ['--env with --quiet', ['--quiet', '--env'], /'--env' cannot be used with option '--quiet'/],
  ])(
    'exits 2 with the problem alone on stderr and sends nothing, given %s',
    async (_case, args, message) => {
      const { exitCode, stdout, stderr, requests } = await runCli(args);

      expect(exitCode).toBe(ExitCode.Usage);
      expect(stderr).toMatch(message);
      expectOnlyTheProblem(stderr);
      expect(stdout).toBe('');
      expect(requests).toHaveLength(0);
    },
  );
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
    [['--api-key', API_KEY, '--bearer', SESSION_JWT], 'commander.conflictingOption'],
    [['--api-key', ' '], 'request-token.invalidCredentials'],
    [['--bearer', `Bearer ${SESSION_JWT}`], 'request-token.invalidCredentials'],
    [['--env', '--json'], 'commander.conflictingOption'],
    [['--attribute', 'team'], 'commander.invalidArgument'],
    [['--ttl', '0'], 'commander.invalidArgument'],
    [['--agent-metadata', 'x'], 'request-token.agentMetadataWithoutAgent'],
    [['--room'], 'commander.optionMissingArgument'],
    [['--help'], 'commander.helpDisplayed'],
    [['--version'], 'commander.version'],
    [['-V'], 'commander.version'],
  ])('rejects %j with %s', async (args, code) => {
    expect((await commanderError(args)).code).toBe(code);
  });

  // Commander's own usage errors end with 1; `run` makes them 2. Only these must end with 0.
  it.each([[['--help']], [['--version']], [['-V']]])('ends %j with exit code 0', async (args) => {
    expect((await commanderError(args)).exitCode).toBe(ExitCode.Success);
  });
});
