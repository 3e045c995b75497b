import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import {
  InvalidTokenError,
  requestToken,
  TokenServerError,
  UnreachableServerError,
  validateToken,
  type Credentials,
  type Fetch,
  type TokenResponse,
  type ValidationResponse,
} from '../client-cli/src/client';
import {
  buildProgram,
  ExitCode,
  readEnvironment,
  run,
  shellQuote,
  type Env,
  type ProgramDeps,
} from '../client-cli/src/program';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0LnVzZXJAZXhhbXBsZS5jb20ifQ.c2lnbmF0dXJl';

/** Caller credentials: distinctive, so that any echo of them in the output is caught. */
const API_KEY = 'tsk_live_4f9c2b7e81d34a6f9b0c5d2e7a1f8c3b';
const OTHER_API_KEY = 'tsk_live_0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const SESSION_JWT =
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEtMTgxNSJ9.c2Vzc2lvbi1zaWduYXR1cmUtZm9yLWFkYQ';

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

/** The token server's error answer, with extra headers such as Retry-After. */
function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** One request the fake fetch received. */
interface SentRequest {
  url: string;
  init: RequestInit;
  body: unknown;
}

/** How the fake fetch answers a request. */
type Answer = (request: SentRequest) => Promise<Response> | Response;

/** A fetch that records what it is asked and answers with `answer(request)`. */
function fakeFetch(answer: Answer = () => jsonResponse(200, TOKEN_ANSWER)): {
  fetch: Fetch;
  requests: SentRequest[];
} {
  const requests: SentRequest[] = [];
  const fetch: Fetch = async (url, init) => {
    const request = { url, init, body: JSON.parse(String(init.body)) as unknown };
    requests.push(request);
    return answer(request);
  };
  return { fetch, requests };
}

/** Answers by the URL's last path segment, as the token server routes; 404 for others. */
function byPath(answers: Record<string, Answer>): Answer {
  return (request) => {
    const path = new URL(request.url).pathname.replace(/^.*\//, '/');
    const answer = answers[path];
    return answer ? answer(request) : errorResponse(404, 'NOT_FOUND', 'No such route.');
  };
}

interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  requests: SentRequest[];
}

/** The credential headers of a request the fake fetch received; null when absent. */
function credentialHeaders(request: SentRequest | undefined): {
  apiKey: string | null;
  authorization: string | null;
} {
  const headers = new Headers(request?.init.headers);
  return { apiKey: headers.get('x-api-key'), authorization: headers.get('authorization') };
}

/** Runs the CLI in-process with a fake fetch and captured output. */
async function runCli(args: string[], setup: { env?: Env; answer?: Answer } = {}): Promise<CliRun> {
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

  describe('with --role, --metadata, --attribute, --agent, --agent-metadata and --ttl', () => {
    const ALL_NEW_OPTIONS = [
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
    ];

    it('sends them as role, metadata, attributes, room_config and ttl_seconds', async () => {
      const { exitCode, stderr, requests } = await runCli(ALL_NEW_OPTIONS);

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

    it('prints the role from the answer, and the metadata, attributes and agent asked for', async () => {
      const { exitCode, stdout, stderr } = await runCli(ALL_NEW_OPTIONS, {
        answer: () => jsonResponse(200, { ...TOKEN_ANSWER, role: 'viewer' }),
      });

      expect(exitCode).toBe(ExitCode.Success);
      expect(stderr).toBe('');
      expect(stdout).toBe(
        [
          'room:           lobby',
          'identity:       test.user@example.com',
          'role:           viewer',
          'expires at:     2030-01-02T03:04:05.000Z',
          'metadata:       {"lang":"en"}',
          'attributes:     {"team":"blue","seat":"12"}',
          'agent:          support-bot',
          'agent metadata: {"topic":"billing"}',
          `token:          ${TOKEN}`,
          '',
        ].join('\n'),
      );
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

    it('sends --metadata as is, and shows line breaks in it as a JSON string on one line', async () => {
      const metadata = ' two\nlines ';

      const { exitCode, stdout, requests } = await runCli(['--metadata', metadata]);

      expect(exitCode).toBe(ExitCode.Success);
      expect(requests[0]?.body).toMatchObject({ metadata });
      expect(stdout).toContain('metadata:   " two\\nlines "\n');
      expect(stdout.split('\n')).toHaveLength(6);
    });

    it('sends an empty --metadata, which the server leaves out, and does not show it', async () => {
      const { exitCode, stdout, requests } = await runCli(['--metadata', '']);

      expect(exitCode).toBe(ExitCode.Success);
      expect(requests[0]?.body).toMatchObject({ metadata: '' });
      expect(stdout).not.toContain('metadata');
    });

    it.each<[string, string[], string]>([
      ['at the first "=", keeping later ones in the value', ['filter=a=b'], '{"filter":"a=b"}'],
      ['with an empty value', ['note='], '{"note":""}'],
      ['keeping spaces as given', [' my key = my value '], '{" my key ":" my value "}'],
      ['keeping the order given', ['b=2', 'a=1', 'c=3'], '{"b":"2","a":"1","c":"3"}'],
      // A plain object would take `__proto__` as its prototype and drop the attribute.
      ['with __proto__ as an ordinary key', ['__proto__=x'], '{"__proto__":"x"}'],
    ])('splits --attribute %s', async (_case, attributes, expectedJson) => {
      const { exitCode, requests } = await runCli(
        attributes.flatMap((attribute) => ['--attribute', attribute]),
      );

      expect(exitCode).toBe(ExitCode.Success);
      expect(String(requests[0]?.init.body)).toContain(`"attributes":${expectedJson}}`);
    });

    it.each<[string, string, number]>([
      ['a plain number', '600', 600],
      ['surrounding spaces', ' 90 ', 90],
      ['leading zeros', '0030', 30],
    ])('reads --ttl with %s as a number of seconds', async (_case, ttl, expected) => {
      const { exitCode, requests } = await runCli(['--ttl', ttl]);

      expect(exitCode).toBe(ExitCode.Success);
      expect(requests[0]?.body).toMatchObject({ ttl_seconds: expected });
    });
  });

  describe('with --validate', () => {
    /** What /validate answers for a token with metadata, attributes and an agent. */
    const VALIDATION_ANSWER: ValidationResponse = {
      valid: true,
      identity: 'test.user@example.com',
      name: 'Test User',
      room: 'lobby',
      expires_at: '2030-01-02T03:04:05.000Z',
      grants: {
        room: 'lobby',
        roomJoin: true,
        canSubscribe: true,
        canPublish: false,
        canPublishData: false,
      },
      metadata: '{"lang":"en"}',
      attributes: { team: 'blue' },
      room_config: { agents: [{ agentName: 'support-bot' }] },
    };
    const VALIDATION_LINES = [
      'validated: the token server accepts the token, which holds',
      '  identity:    test.user@example.com',
      '  name:        Test User',
      '  room:        lobby',
      '  expires at:  2030-01-02T03:04:05.000Z',
      '  grants:      {"room":"lobby","roomJoin":true,"canSubscribe":true,"canPublish":false,"canPublishData":false}',
      '  metadata:    {"lang":"en"}',
      '  attributes:  {"team":"blue"}',
      '  room config: {"agents":[{"agentName":"support-bot"}]}',
      '',
    ];
    const issuesAndValidates = byPath({
      '/token': () => jsonResponse(200, { ...TOKEN_ANSWER, role: 'viewer' }),
      '/validate': () => jsonResponse(200, VALIDATION_ANSWER),
    });
    /** Issues a token, and answers /validate with `answer`. */
    const validatesWith = (answer: Answer): Answer =>
      byPath({ '/token': () => jsonResponse(200, TOKEN_ANSWER), '/validate': answer });

    it.each<[string, string[], Env, { apiKey: string | null; authorization: string | null }]>([
      ['no credentials', [], {}, { apiKey: null, authorization: null }],
      ['the --api-key', ['--api-key', API_KEY], {}, { apiKey: API_KEY, authorization: null }],
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
      const { requests } = await runCli(
        ['--validate', '--server', 'https://example.com/livekit/'],
        { answer: issuesAndValidates },
      );

      expect(requests.map((request) => request.url)).toStrictEqual([
        'https://example.com/livekit/token',
        'https://example.com/livekit/validate',
      ]);
    });

    it('prints the token summary, then what the token server decoded from the token', async () => {
      const { exitCode, stdout, stderr } = await runCli(['--validate'], {
        answer: issuesAndValidates,
      });

      expect(exitCode).toBe(ExitCode.Success);
      expect(stderr).toBe('');
      expect(stdout).toBe(
        [
          'room:       lobby',
          'identity:   test.user@example.com',
          'role:       viewer',
          'expires at: 2030-01-02T03:04:05.000Z',
          `token:      ${TOKEN}`,
          '',
          ...VALIDATION_LINES,
        ].join('\n'),
      );
    });

    it('shows (none) for what the token lacks, and leaves out what an older server does not report', async () => {
      // An older server's answer: no metadata field at all.
      const olderAnswer = { ...VALIDATION_ANSWER, identity: null, attributes: null };
      delete olderAnswer.metadata;
      const { exitCode, stdout } = await runCli(['--validate'], {
        answer: validatesWith(() => jsonResponse(200, olderAnswer)),
      });

      expect(exitCode).toBe(ExitCode.Success);
      expect(stdout).toContain('\n  identity:    (none)\n');
      expect(stdout).toContain('\n  attributes:  (none)\n');
      expect(stdout).toContain('\n  room config: {"agents":[{"agentName":"support-bot"}]}\n');
      expect(stdout).not.toContain('metadata');
    });

    it('with --json, prints one JSON document: the token answer with the validation under "validation"', async () => {
      const { exitCode, stdout, stderr } = await runCli(['--validate', '--json'], {
        answer: validatesWith(() => jsonResponse(200, { ...VALIDATION_ANSWER, extra: 1 })),
      });

      expect(exitCode).toBe(ExitCode.Success);
      expect(stderr).toBe('');
      expect(stdout.endsWith('\n')).toBe(true);
      expect(stdout.trimEnd()).not.toContain('\n');
      expect(JSON.parse(stdout)).toStrictEqual({
        ...TOKEN_ANSWER,
        validation: { ...VALIDATION_ANSWER, extra: 1 },
      });
    });

    it('with --quiet, prints only the token, once it is validated', async () => {
      const { exitCode, stdout, stderr, requests } = await runCli(['--validate', '--quiet'], {
        answer: issuesAndValidates,
      });

      expect(exitCode).toBe(ExitCode.Success);
      expect(stdout).toBe(`${TOKEN}\n`);
      expect(stderr).toBe('');
      expect(requests).toHaveLength(2);
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

    describe('when /validate says the token is not valid', () => {
      const refusal = {
        valid: false,
        error: { code: 'BAD_SIGNATURE', message: 'The token signature is invalid.' },
      };

      it.each<[string, string[], Answer]>([
        [
          '401 valid:false, as the token server does',
          [],
          () =>
            new Response(JSON.stringify(refusal), {
              status: 401,
              headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
            }),
        ],
        ['200 valid:false', [], () => jsonResponse(200, refusal)],
        ['401 valid:false, with --json', ['--json'], () => jsonResponse(401, refusal)],
        ['401 valid:false, with --quiet', ['--quiet'], () => jsonResponse(401, refusal)],
      ])('exits 1 with its reason and nothing on stdout, given %s', async (_case, args, answer) => {
        const { exitCode, stdout, stderr, requests } = await runCli(['--validate', ...args], {
          answer: validatesWith(answer),
        });

        expect(exitCode).toBe(ExitCode.RequestFailed);
        expect(requests).toHaveLength(2);
        expect(stdout).toBe('');
        expect(stderr).toBe(
          'error: the token server issued a token, but /validate says it is not valid: BAD_SIGNATURE: The token signature is invalid.\n',
        );
      });

      it('says UNKNOWN when the server gives no reason', async () => {
        const { exitCode, stderr } = await runCli(['--validate'], {
          answer: validatesWith(() => jsonResponse(401, { valid: false })),
        });

        expect(exitCode).toBe(ExitCode.RequestFailed);
        expect(stderr).toBe(
          'error: the token server issued a token, but /validate says it is not valid: UNKNOWN: The server gave no reason.\n',
        );
      });
    });

    describe('when /validate answers with an error', () => {
      it.each<[string, string[], Answer, string]>([
        [
          '401 INVALID_CREDENTIALS: that the API key was refused',
          ['--api-key', API_KEY],
          () => errorResponse(401, 'INVALID_CREDENTIALS', 'The credentials are invalid.'),
          'error: the token server answered /validate with 401 INVALID_CREDENTIALS: The credentials are invalid.\n' +
            'the token server refused the credentials: check the API key (--api-key, or TOKEN_SERVER_API_KEY in the environment or .env).\n',
        ],
        [
          '429 with Retry-After: how long to wait',
          [],
          () => errorResponse(429, 'RATE_LIMITED', 'Too many requests.', { 'retry-after': '5' }),
          'error: the token server answered /validate with 429 RATE_LIMITED: Too many requests.\n' +
            'the token server is rate limiting these requests: retry after 5 seconds.\n',
        ],
        [
          '400 with details',
          [],
          () =>
            jsonResponse(400, {
              error: {
                code: 'AMBIGUOUS_TOKEN',
                message: 'The request carries two different tokens; send one.',
              },
            }),
          'error: the token server answered /validate with 400 AMBIGUOUS_TOKEN: The request carries two different tokens; send one.\n',
        ],
        [
          '200 without a validation: that it may not be the token server',
          [],
          () => jsonResponse(200, { ok: true }),
          'error: the token server answered /validate with 200 UNEXPECTED_RESPONSE: The server at http://localhost:8002 answered 200 to /validate without a validation; is it the token server?\n',
        ],
        [
          'a 200 valid:true without grants: that it is not a validation',
          [],
          () => jsonResponse(200, { ...VALIDATION_ANSWER, grants: undefined }),
          'error: the token server answered /validate with 200 UNEXPECTED_RESPONSE: The server at http://localhost:8002 answered 200 to /validate without a validation; is it the token server?\n',
        ],
        [
          'an HTML 502: that it may not be the token server',
          [],
          () =>
            new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
          'error: the token server answered /validate with 502 UNEXPECTED_RESPONSE: The server at http://localhost:8002 answered 502 Bad Gateway without a token server error; is it the token server?\n',
        ],
        [
          'no answer: that it could not be reached',
          [],
          () => {
            throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
          },
          'error: could not reach the token server at http://localhost:8002 (socket hang up).\n' +
            'Start it with ./start_token_server.sh from the repository root, or pass --server <url> or set TOKEN_SERVER_URL to use a token server that is running.\n',
        ],
      ])(
        'exits 1 with nothing on stdout and explains %s',
        async (_case, args, answer, expected) => {
          const { exitCode, stdout, stderr, requests } = await runCli(['--validate', ...args], {
            answer: validatesWith(answer),
          });

          expect(exitCode).toBe(ExitCode.RequestFailed);
          expect(requests).toHaveLength(2);
          expect(stdout).toBe('');
          expect(stderr).toBe(expected);
        },
      );
    });

    it.each<[string, Answer]>([
      ['a validation', () => jsonResponse(200, VALIDATION_ANSWER)],
      [
        'valid:false',
        () => jsonResponse(401, { valid: false, error: { code: 'X', message: 'x' } }),
      ],
      ['401', () => errorResponse(401, 'INVALID_CREDENTIALS', 'The credentials are invalid.')],
      ['429', () => errorResponse(429, 'RATE_LIMITED', 'Slow down.')],
    ])(
      'never prints the API key or the JWT, whether /validate answers %s',
      async (_case, answer) => {
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
      },
    );
  });

  describe('with --env', () => {
    const LIVEKIT_URL = 'wss://livekit.example.com';
    const issuesWithUrl = (serverUrl: string): Answer =>
      byPath({
        '/token': () => jsonResponse(200, { ...TOKEN_ANSWER, server_url: serverUrl }),
        '/validate': () =>
          jsonResponse(200, {
            valid: true,
            identity: 'test.user@example.com',
            name: 'Test User',
            room: 'lobby',
            expires_at: '2030-01-02T03:04:05.000Z',
            grants: { room: 'lobby', roomJoin: true },
            metadata: null,
            attributes: null,
            room_config: null,
          }),
      });

    it('prints exactly LIVEKIT_URL and LIVEKIT_TOKEN lines, unquoted, and exits 0', async () => {
      const { exitCode, stdout, stderr } = await runCli(['--env'], {
        answer: issuesWithUrl(LIVEKIT_URL),
      });

      expect(exitCode).toBe(ExitCode.Success);
      expect(stderr).toBe('');
      expect(stdout).toBe(`LIVEKIT_URL=${LIVEKIT_URL}\nLIVEKIT_TOKEN=${TOKEN}\n`);
    });

    it('single-quotes a server_url with characters a shell or .env file would read', async () => {
      const { stdout } = await runCli(['--env'], {
        answer: issuesWithUrl('wss://livekit.example.com/rtc?region=eu&x=1#a'),
      });

      expect(stdout).toBe(
        `LIVEKIT_URL='wss://livekit.example.com/rtc?region=eu&x=1#a'\nLIVEKIT_TOKEN=${TOKEN}\n`,
      );
    });

    it('with --validate, keeps stdout to the two lines and prints the validation on stderr', async () => {
      const { exitCode, stdout, stderr, requests } = await runCli(['--env', '--validate'], {
        answer: issuesWithUrl(LIVEKIT_URL),
      });

      expect(exitCode).toBe(ExitCode.Success);
      expect(requests).toHaveLength(2);
      expect(stdout).toBe(`LIVEKIT_URL=${LIVEKIT_URL}\nLIVEKIT_TOKEN=${TOKEN}\n`);
      expect(stderr).toBe(
        [
          'validated: the token server accepts the token, which holds',
          '  identity:    test.user@example.com',
          '  name:        Test User',
          '  room:        lobby',
          '  expires at:  2030-01-02T03:04:05.000Z',
          '  grants:      {"room":"lobby","roomJoin":true}',
          '  metadata:    (none)',
          '  attributes:  (none)',
          '  room config: (none)',
          '',
        ].join('\n'),
      );
    });

    describe('when the answer has no server_url', () => {
      it.each<[string, string[]]>([
        ['--env', []],
        ['--env --validate, without asking /validate', ['--validate']],
      ])(
        'exits 1 saying the server has no LIVEKIT_URL, with nothing on stdout, given %s',
        async (_case, args) => {
          const { exitCode, stdout, stderr, requests } = await runCli(
            ['--env', '--server', 'http://tokens.test:8002', ...args],
            { answer: () => jsonResponse(200, TOKEN_ANSWER) },
          );

          expect(exitCode).toBe(ExitCode.RequestFailed);
          expect(requests).toHaveLength(1);
          expect(stdout).toBe('');
          expect(stderr).toBe(
            'error: the token server at http://tokens.test:8002 has no LIVEKIT_URL set, so its answer has no server_url for --env to print.\n' +
              "Set LIVEKIT_URL in the token server's environment or .env and restart it, or leave out --env.\n",
          );
        },
      );
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

  describe('authenticating', () => {
    it.each<[string, string[], Env, { apiKey: string | null; authorization: string | null }]>([
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
      'exits 2 with usage, sends nothing and does not show the secret, given %s',
      async (_case, args, env, message, secret) => {
        const { exitCode, stdout, stderr, requests } = await runCli(args, { env });

        expect(exitCode).toBe(ExitCode.Usage);
        expect(stderr).toMatch(message);
        expect(stderr).toContain('Usage: request-token [options]');
        expect(stdout).toBe('');
        expect(requests).toHaveLength(0);
        if (secret !== '') expect(stderr).not.toContain(secret);
        expect(stderr).not.toContain('tsk_live_');
      },
    );

    describe('when the server refuses the request', () => {
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
      [
        'an --attribute without "="',
        ['--attribute', 'team'],
        /^error: option '--attribute <key=value>' argument 'team' is invalid\. Expected key=value, like team=blue\.\n/,
      ],
      [
        'an --attribute without a key',
        ['--attribute', '=blue'],
        /argument '=blue' is invalid\. Expected a key before "=", like team=blue\.\n/,
      ],
      [
        'an --attribute key given twice',
        ['--attribute', 'team=blue', '--attribute', 'seat=1', '--attribute', 'team=red'],
        /argument 'team=red' is invalid\. The key "team" is given twice; give each attribute once\.\n/,
      ],
      [
        '--agent-metadata without --agent',
        ['--agent-metadata', '{"topic":"billing"}'],
        /^error: --agent-metadata needs --agent <name>: it is the metadata of that agent's job\.\n/,
      ],
      ['a blank --role', ['--role', ' '], /--role <name>.* is invalid\. Expected a role name/],
      ['an empty --agent', ['--agent', ''], /--agent <name>.* is invalid\. Expected an agent name/],
      ['--ttl 0', ['--ttl', '0'], /--ttl <seconds>' argument '0' is invalid\. Expected a positive/],
      ['a negative --ttl', ['--ttl', '-60'], /argument '-60' is invalid\. Expected a positive/],
      ['a fractional --ttl', ['--ttl', '1.5'], /argument '1\.5' is invalid\. Expected a positive/],
      ['a --ttl with a unit', ['--ttl', '10m'], /argument '10m' is invalid\. Expected a positive/],
      ['an empty --ttl', ['--ttl', ''], /argument '' is invalid\. Expected a positive/],
      [
        'a --ttl beyond what a number holds exactly',
        ['--ttl', '9007199254740993'],
        /argument '9007199254740993' is invalid/,
      ],
      ['--env with --json', ['--env', '--json'], /'--env' cannot be used with option '--json'/],
      ['--json with --env', ['--json', '--env'], /'--env' cannot be used with option '--json'/],
      ['--env with --quiet', ['--quiet', '--env'], /'--env' cannot be used with option '--quiet'/],
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
    [['--api-key', API_KEY, '--bearer', SESSION_JWT], 'commander.conflictingOption'],
    [['--api-key', ' '], 'request-token.invalidCredentials'],
    [['--bearer', `Bearer ${SESSION_JWT}`], 'request-token.invalidCredentials'],
    [['--env', '--json'], 'commander.conflictingOption'],
    [['--attribute', 'team'], 'commander.invalidArgument'],
    [['--ttl', '0'], 'commander.invalidArgument'],
    [['--agent-metadata', 'x'], 'request-token.agentMetadataWithoutAgent'],
    [['--help'], 'commander.helpDisplayed'],
  ])('rejects %j with %s', async (args, code) => {
    expect((await commanderError(args)).code).toBe(code);
  });

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

  describe('with credentials', () => {
    it.each<[string, Credentials, { apiKey: string | null; authorization: string | null }]>([
      [
        'an API key as X-API-Key',
        { kind: 'api-key', apiKey: API_KEY },
        { apiKey: API_KEY, authorization: null },
      ],
      [
        'a JWT as Authorization: Bearer',
        { kind: 'bearer', jwt: SESSION_JWT },
        { apiKey: null, authorization: `Bearer ${SESSION_JWT}` },
      ],
    ])('sends %s', async (_case, credentials, expected) => {
      const { fetch, requests } = fakeFetch();

      await requestToken({ ...options, credentials }, fetch);

      expect(credentialHeaders(requests[0])).toStrictEqual(expected);
    });

    it('records on a refusal which kind of credentials the request carried', async () => {
      const { fetch } = fakeFetch(() =>
        errorResponse(401, 'INVALID_CREDENTIALS', 'The credentials are invalid.'),
      );

      const error: unknown = await requestToken(
        { ...options, credentials: { kind: 'bearer', jwt: SESSION_JWT } },
        fetch,
      ).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(TokenServerError);
      expect(error).toMatchObject({ status: 401, credentialsSent: 'bearer' });
      expect(String((error as Error).message)).not.toContain(SESSION_JWT);
    });

    it('records none when the request carried none', async () => {
      const { fetch } = fakeFetch(() =>
        errorResponse(401, 'AUTHENTICATION_REQUIRED', 'Authentication is required.'),
      );

      await expect(requestToken(options, fetch)).rejects.toMatchObject({
        credentialsSent: 'none',
      });
    });
  });

  describe('when the server answers with Retry-After', () => {
    it.each<[string, Record<string, string>, number | undefined]>([
      ['delay-seconds', { 'retry-after': '42' }, 42],
      ['an HTTP date in the past, as 0', { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, 0],
      ['something unreadable, as undefined', { 'retry-after': 'soon' }, undefined],
      ['no header, as undefined', {}, undefined],
    ])('reads %s into retryAfterSeconds', async (_case, headers, expected) => {
      const { fetch } = fakeFetch(() =>
        errorResponse(429, 'RATE_LIMITED', 'Too many requests.', headers),
      );

      const error: unknown = await requestToken(options, fetch).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(TokenServerError);
      expect((error as TokenServerError).retryAfterSeconds).toBe(expected);
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

describe('validateToken', () => {
  const options = { serverUrl: 'http://tokens.test/', token: TOKEN };
  const VALID = {
    valid: true,
    identity: 'ada',
    name: 'Ada',
    room: 'lobby',
    expires_at: '2030-01-02T03:04:05.000Z',
    grants: { room: 'lobby', roomJoin: true },
  };

  it('POSTs {"token"} to /validate and returns the whole answer, unknown fields included', async () => {
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, { ...VALID, extra: [1] }));

    await expect(validateToken(options, fetch)).resolves.toStrictEqual({
      response: { ...VALID, extra: [1] },
    });
    expect(requests.map((request) => [request.url, request.body])).toStrictEqual([
      ['http://tokens.test/validate', { token: TOKEN }],
    ]);
  });

  it('throws InvalidTokenError with the code and message of a valid:false answer', async () => {
    const { fetch } = fakeFetch(() =>
      jsonResponse(401, {
        valid: false,
        error: { code: 'TOKEN_EXPIRED', message: 'The token expired.' },
      }),
    );

    const error: unknown = await validateToken(options, fetch).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error).toMatchObject({ code: 'TOKEN_EXPIRED', message: 'The token expired.' });
  });

  it('throws TokenServerError naming /validate for a 401 that refuses the caller', async () => {
    const { fetch } = fakeFetch(() =>
      errorResponse(401, 'INVALID_CREDENTIALS', 'The credentials are invalid.'),
    );

    const error: unknown = await validateToken(
      { ...options, credentials: { kind: 'api-key', apiKey: API_KEY } },
      fetch,
    ).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(TokenServerError);
    expect(error).toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
      path: '/validate',
      credentialsSent: 'api-key',
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ['a non-string metadata', { metadata: 7 }],
    ['attributes that are a list', { attributes: ['team'] }],
    ['a room_config that is a string', { room_config: 'agents' }],
    ['no expires_at', { expires_at: undefined }],
    ['valid as a string', { valid: 'true' }],
  ])('throws UNEXPECTED_RESPONSE for an answer with %s', async (_case, change) => {
    const { fetch } = fakeFetch(() => jsonResponse(200, { ...VALID, ...change }));

    await expect(validateToken(options, fetch)).rejects.toMatchObject({
      code: 'UNEXPECTED_RESPONSE',
      path: '/validate',
    });
  });
});

describe('shellQuote', () => {
  it.each<[string, string]>([
    [TOKEN, TOKEN],
    ['wss://livekit.example.com:7880', 'wss://livekit.example.com:7880'],
    ['https://user@host/a%20b+c,d=e', 'https://user@host/a%20b+c,d=e'],
    ['http://[::1]:7880', "'http://[::1]:7880'"],
    ['wss://host/rtc?a=1&b=2', "'wss://host/rtc?a=1&b=2'"],
    ['$HOME', "'$HOME'"],
    ['a#comment', "'a#comment'"],
    ['two words', "'two words'"],
    ["it's", "'it'\\''s'"],
    ['', "''"],
  ])('writes %j as %s', (value, expected) => {
    expect(shellQuote(value)).toBe(expected);
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
