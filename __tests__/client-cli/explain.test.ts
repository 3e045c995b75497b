// What the CLI says on stderr when a request fails, and that it exits 1 with nothing on
// stdout: an unreachable server, the server's errors with their details, and the one-line
// explanations of a 400 for a name left to a login, 401, 403, a 404 under a path and 429.
// --validate's failures are in explain.validate.test.ts, network failures in
// network-failure.test.ts.
import type { Env } from '../../client-cli/src/environment';
import { explainFailure } from '../../client-cli/src/explain';
import { ExitCode } from '../../client-cli/src/program';
import { API_KEY, errorResponse, jsonResponse, runCli, SESSION_JWT } from '../support/fake-fetch';

describe('request-token', () => {
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

  describe('when the server refuses a new field with VALIDATION_ERROR', () => {
    it.each<[string, string[], { field: string; message: string }]>([
      [
        'a --ttl over its TOKEN_EXPIRY_HOURS',
        ['--ttl', '90000'],
        { field: 'ttl_seconds', message: 'ttl_seconds must be at most 86400' },
      ],
      [
        'an unknown --role',
        ['--role', 'janitor'],
        { field: 'role', message: 'role is not a role' },
      ],
      [
        'an --agent name it rejects',
        ['--agent', 'x'.repeat(300)],
        {
          field: 'room_config.agents.0.agent_name',
          message: 'agent_name must be at most 256 characters long',
        },
      ],
    ])("exits 1 with the server's message and the field, given %s", async (_case, args, detail) => {
      const { exitCode, stdout, stderr } = await runCli(args, {
        answer: () =>
          jsonResponse(400, {
            error: {
              code: 'VALIDATION_ERROR',
              message: `Invalid request: ${detail.message}.`,
              details: [detail],
            },
          }),
      });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `error: the token server answered 400 VALIDATION_ERROR: Invalid request: ${detail.message}.\n` +
          `  - ${detail.field}: ${detail.message}\n`,
      );
    });
  });

  describe('when a server without AUTH_MODE=jwt asks for the email and name left to the login', () => {
    /** The 400 of a server with AUTH_MODE=none for a body without full_name and identity. */
    const identityRequired = () =>
      jsonResponse(400, {
        error: {
          code: 'VALIDATION_ERROR',
          message:
            'Invalid request: full_name is required; give user_id or user_email (the identity).',
          details: [
            { field: 'full_name', message: 'full_name is required' },
            { field: 'user_id', message: 'give user_id or user_email (the identity)' },
          ],
        },
      });
    const SERVER_LINES =
      'error: the token server answered 400 VALIDATION_ERROR: Invalid request: full_name is required; give user_id or user_email (the identity).\n' +
      '  - full_name: full_name is required\n' +
      '  - user_id: give user_id or user_email (the identity)\n';

    it.each<[string, string[], Env]>([
      ['--bearer', ['--bearer', SESSION_JWT], {}],
      ['TOKEN_SERVER_BEARER', [], { TOKEN_SERVER_BEARER: SESSION_JWT }],
    ])('exits 1 and says to pass --email and --name, given %s', async (_case, args, env) => {
      const { exitCode, stdout, stderr } = await runCli(args, { env, answer: identityRequired });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        SERVER_LINES +
          'with --bearer, request-token sends no default email or name, since a server with AUTH_MODE=jwt takes them from the login; this server does not: pass --email and --name (or --user-id).\n',
      );
      expect(stderr).not.toContain(SESSION_JWT);
    });

    it.each<[string, string[], Env]>([
      ['--bearer with --name alone', ['--bearer', SESSION_JWT, '--name', 'Ada'], {}],
      ['--bearer with --email alone', ['--bearer', SESSION_JWT, '--email', 'ada@example.com'], {}],
    ])('still says so for what was left out, given %s', async (_case, args, env) => {
      const { stderr } = await runCli(args, { env, answer: identityRequired });

      expect(stderr).toMatch(
        /\nwith --bearer, request-token sends no default email or name, .+\.\n$/,
      );
    });

    it.each<[string, string[], () => Response]>([
      [
        'the field it names was sent',
        ['--bearer', SESSION_JWT, '--email', 'ada@example.com', '--name', 'x'.repeat(300)],
        () =>
          jsonResponse(400, {
            error: {
              code: 'VALIDATION_ERROR',
              message: 'Invalid request: full_name is too long.',
              details: [{ field: 'full_name', message: 'full_name is too long' }],
            },
          }),
      ],
      ['no login was sent', [], identityRequired],
      ['an API key was sent', ['--api-key', API_KEY], identityRequired],
    ])("adds nothing to the server's lines when %s", async (_case, args, answer) => {
      const { exitCode, stderr } = await runCli(args, { answer });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stderr).toMatch(/^error: the token server answered 400 VALIDATION_ERROR: /);
      expect(stderr).not.toContain('request-token sends no default');
    });
  });

  describe('when the server answers 404 under a base URL with a path', () => {
    const notFound = () => errorResponse(404, 'NOT_FOUND', 'No route for POST /api/token.');

    it('exits 1 and says that --server takes the base URL, a proxy prefix only if there is one', async () => {
      const { exitCode, stdout, stderr, requests } = await runCli(
        ['--server', 'http://127.0.0.1:8002/api'],
        { answer: notFound },
      );

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(requests.map((request) => request.url)).toStrictEqual([
        'http://127.0.0.1:8002/api/token',
      ]);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        'error: the token server answered 404 NOT_FOUND: No route for POST /api/token.\n' +
          "--server (or TOKEN_SERVER_URL) takes the token server's base URL, such as http://127.0.0.1:8002; keep the path /api only if a reverse proxy serves the token server under it.\n",
      );
    });

    it("says the same for a proxy's own 404 page, and for TOKEN_SERVER_URL", async () => {
      const { exitCode, stderr } = await runCli([], {
        env: { TOKEN_SERVER_URL: 'https://example.com/livekit' },
        answer: () => new Response('<h1>Not Found</h1>', { status: 404, statusText: 'Not Found' }),
      });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stderr).toMatch(
        /^error: the token server answered 404 UNEXPECTED_RESPONSE: .+\n--server \(or TOKEN_SERVER_URL\) takes the token server's base URL, such as https:\/\/example\.com; keep the path \/livekit only if a reverse proxy serves the token server under it\.\n$/,
      );
    });

    it('adds nothing when the base URL has no path', async () => {
      const { exitCode, stderr } = await runCli(['--server', 'http://127.0.0.1:8002/'], {
        answer: () => errorResponse(404, 'NOT_FOUND', 'No route for POST /token.'),
      });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stderr).toBe(
        'error: the token server answered 404 NOT_FOUND: No route for POST /token.\n',
      );
    });
  });

  describe('when the server refuses the caller', () => {
    it.each<[string, string[], Env, () => Response, string]>([
      [
        '401 AUTHENTICATION_REQUIRED without credentials: how to give them',
        [],
        {},
        () => errorResponse(401, 'AUTHENTICATION_REQUIRED', 'Authentication is required.'),
        'error: the token server answered 401 AUTHENTICATION_REQUIRED: Authentication is required.\n' +
          'the token server requires authentication: pass --api-key (or set TOKEN_SERVER_API_KEY) or --bearer (TOKEN_SERVER_BEARER).\n',
      ],
      [
        '401 AUTHENTICATION_REQUIRED despite an API key: that it may expect --bearer',
        ['--api-key', API_KEY],
        {},
        () => errorResponse(401, 'AUTHENTICATION_REQUIRED', 'Authentication is required.'),
        'error: the token server answered 401 AUTHENTICATION_REQUIRED: Authentication is required.\n' +
          'the token server requires authentication and did not take the API key: it may expect --bearer <jwt> (TOKEN_SERVER_BEARER) instead.\n',
      ],
      [
        '401 AUTHENTICATION_REQUIRED despite a bearer JWT: that it may expect --api-key',
        ['--bearer', SESSION_JWT],
        {},
        () => errorResponse(401, 'AUTHENTICATION_REQUIRED', 'Authentication is required.'),
        'error: the token server answered 401 AUTHENTICATION_REQUIRED: Authentication is required.\n' +
          'the token server requires authentication and did not take the bearer JWT: it may expect --api-key (TOKEN_SERVER_API_KEY) instead.\n',
      ],
      [
        '401 INVALID_CREDENTIALS for an API key: where the key came from',
        [],
        { TOKEN_SERVER_API_KEY: API_KEY },
        () => errorResponse(401, 'INVALID_CREDENTIALS', 'The credentials are invalid.'),
        'error: the token server answered 401 INVALID_CREDENTIALS: The credentials are invalid.\n' +
          'the token server refused the credentials: check the API key (--api-key, or TOKEN_SERVER_API_KEY in the environment or .env).\n',
      ],
      [
        '401 INVALID_CREDENTIALS for a bearer JWT: that it must be current',
        ['--bearer', SESSION_JWT],
        {},
        () => errorResponse(401, 'INVALID_CREDENTIALS', 'The credentials are invalid.'),
        'error: the token server answered 401 INVALID_CREDENTIALS: The credentials are invalid.\n' +
          'the token server refused the credentials: check that the bearer JWT (--bearer or TOKEN_SERVER_BEARER) is current, or whether the server expects --api-key.\n',
      ],
      [
        "a proxy's 401 page without credentials: how to give them",
        [],
        {},
        () => new Response('<h1>401</h1>', { status: 401, statusText: 'Unauthorized' }),
        'error: the token server answered 401 UNEXPECTED_RESPONSE: The server at http://localhost:8002 answered 401 Unauthorized without a token server error; is it the token server?\n' +
          'the token server requires authentication: pass --api-key (or set TOKEN_SERVER_API_KEY) or --bearer (TOKEN_SERVER_BEARER).\n',
      ],
      [
        '403 IDENTITY_MISMATCH: that --user-id differs from the login',
        ['--bearer', SESSION_JWT, '--user-id', 'someone-else'],
        {},
        () => errorResponse(403, 'IDENTITY_MISMATCH', 'user_id does not match the caller.'),
        'error: the token server answered 403 IDENTITY_MISMATCH: user_id does not match the caller.\n' +
          'the --user-id differs from the identity in your login (the bearer JWT): leave out --user-id, or pass that identity.\n',
      ],
      [
        '403 ROOM_NOT_ALLOWED: that ROOM_NAME_PATTERN rules the room out',
        ['--api-key', API_KEY, '--room', 'secret-lab'],
        {},
        () => errorResponse(403, 'ROOM_NOT_ALLOWED', 'This room name is not allowed.'),
        'error: the token server answered 403 ROOM_NOT_ALLOWED: This room name is not allowed.\n' +
          "the room name is not allowed by the token server's ROOM_NAME_PATTERN: choose another --room, or leave it out to get a generated room.\n",
      ],
      [
        '403 ROLE_NOT_ALLOWED: that the --role is not for this caller',
        ['--api-key', API_KEY, '--role', 'host'],
        {},
        () => errorResponse(403, 'ROLE_NOT_ALLOWED', 'The role host is not allowed for you.'),
        'error: the token server answered 403 ROLE_NOT_ALLOWED: The role host is not allowed for you.\n' +
          'the token server does not let you take this role: choose a --role it is open to, or ask its operator for the role.\n',
      ],
      [
        '403 AGENT_NOT_ALLOWED: that the --agent is not in AGENT_NAMES',
        ['--agent', 'rogue-bot'],
        {},
        () => errorResponse(403, 'AGENT_NOT_ALLOWED', 'The agent rogue-bot is not allowed.'),
        'error: the token server answered 403 AGENT_NOT_ALLOWED: The agent rogue-bot is not allowed.\n' +
          "the --agent is not in the token server's AGENT_NAMES: choose one of those agents, or ask its operator to add it.\n",
      ],
      [
        'another 403: that it is not allowed',
        ['--api-key', API_KEY],
        {},
        () => errorResponse(403, 'FORBIDDEN', 'Forbidden.'),
        'error: the token server answered 403 FORBIDDEN: Forbidden.\n' +
          'the token server does not allow this request: ask its operator for access.\n',
      ],
      [
        '429 with Retry-After: 30: how long to wait',
        ['--api-key', API_KEY],
        {},
        () => errorResponse(429, 'RATE_LIMITED', 'Too many requests.', { 'retry-after': '30' }),
        'error: the token server answered 429 RATE_LIMITED: Too many requests.\n' +
          'the token server is rate limiting these requests: retry after 30 seconds.\n',
      ],
      [
        '429 with Retry-After: 1: one second',
        [],
        {},
        () => errorResponse(429, 'RATE_LIMITED', 'Too many requests.', { 'retry-after': '1' }),
        'error: the token server answered 429 RATE_LIMITED: Too many requests.\n' +
          'the token server is rate limiting these requests: retry after 1 second.\n',
      ],
      [
        '429 without Retry-After: to retry later',
        [],
        {},
        () => errorResponse(429, 'RATE_LIMITED', 'Too many requests.'),
        'error: the token server answered 429 RATE_LIMITED: Too many requests.\n' +
          'the token server is rate limiting these requests: retry later.\n',
      ],
    ])('exits 1 and explains %s', async (_case, args, env, answer, expectedStderr) => {
      const { exitCode, stdout, stderr, requests } = await runCli(args, { env, answer });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(requests).toHaveLength(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(expectedStderr);
    });

    it('explains a 429 whose Retry-After is an HTTP date in seconds from now', async () => {
      const retryAt = new Date(Date.now() + 120_000).toUTCString();

      const { exitCode, stderr } = await runCli([], {
        answer: () =>
          errorResponse(429, 'RATE_LIMITED', 'Too many requests.', { 'retry-after': retryAt }),
      });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      // toUTCString drops the milliseconds, and the clock moves on while the test runs.
      expect(stderr).toMatch(/retry after 1(1[89]|20) seconds\.\n$/);
    });
  });
});

describe('explainFailure', () => {
  it('has nothing to say about an error that is not a failed request, which run lets through', () => {
    expect(explainFailure(new TypeError('a bug'))).toBeUndefined();
  });
});
