// request-token --invite, run in-process with a fake fetch: what it sends to POST /token (the
// code as X-Invite-Code, in place of any credentials, and only the options given), what it
// prints for a token answered at once, and what it refuses before sending anything. The
// waiting room, over a real connection, is in invite-client.test.ts.
import { CommanderError } from 'commander';
import { buildProgram, ExitCode } from '../../client-cli/src/program';
import {
  API_KEY,
  credentialHeaders,
  expectOnlyTheProblem,
  fakeFetch,
  jsonResponse,
  runCli,
  SESSION_JWT,
  TOKEN,
  TOKEN_ANSWER,
} from '../support/fake-fetch';

/** An invite code as the server shows it; distinctive, so that an echo of it is caught. */
const CODE = 'qzrt-wxnm-ybch-dkfs';

const GUEST_ANSWER = { ...TOKEN_ANSWER, identity: 'guest-3f9a', role: 'viewer' };

describe('request-token --invite', () => {
  it('sends the code as X-Invite-Code to POST /token, with no default email or name', async () => {
    const { exitCode, requests } = await runCli(['--invite', `  ${CODE} `], {
      answer: () => jsonResponse(200, GUEST_ANSWER),
    });

    expect(exitCode).toBe(ExitCode.Success);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('http://localhost:8002/token');
    expect(requests[0]?.init.method).toBe('POST');
    expect(new Headers(requests[0]?.init.headers).get('x-invite-code')).toBe(CODE);
    expect(requests[0]?.body).toStrictEqual({});
  });

  it('sends the code in place of the credentials of the environment and .env', async () => {
    for (const env of [
      { TOKEN_SERVER_API_KEY: API_KEY },
      { TOKEN_SERVER_BEARER: SESSION_JWT },
      // Both set would be a usage error without --invite: they are not read with it.
      { TOKEN_SERVER_API_KEY: API_KEY, TOKEN_SERVER_BEARER: SESSION_JWT },
    ]) {
      const { exitCode, requests } = await runCli(['--invite', CODE], {
        env,
        answer: () => jsonResponse(200, GUEST_ANSWER),
      });

      expect(exitCode).toBe(ExitCode.Success);
      expect(credentialHeaders(requests[0])).toStrictEqual({ apiKey: null, authorization: null });
    }
  });

  it('sends the other options given, for the server to decide on', async () => {
    const { requests } = await runCli(
      [
        '--invite',
        CODE,
        '--name',
        'Ada Lovelace',
        '--email',
        'ada@example.com',
        '--room',
        'lab',
        '--user-id',
        'ada-1815',
        '--role',
        'viewer',
        '--ttl',
        '600',
      ],
      { answer: () => jsonResponse(200, GUEST_ANSWER) },
    );

    expect(requests[0]?.body).toStrictEqual({
      full_name: 'Ada Lovelace',
      user_email: 'ada@example.com',
      room_name: 'lab',
      user_id: 'ada-1815',
      role: 'viewer',
      ttl_seconds: 600,
    });
  });

  it('prints a token answered at once as without --invite, and never the code', async () => {
    const { exitCode, stdout, stderr } = await runCli(['--invite', CODE], {
      answer: () => jsonResponse(200, GUEST_ANSWER),
    });

    expect(exitCode).toBe(ExitCode.Success);
    expect(stderr).toBe('');
    expect(stdout).toBe(
      [
        'room:       lobby',
        'identity:   guest-3f9a',
        'role:       viewer',
        'expires at: 2030-01-02T03:04:05.000Z',
        `token:      ${TOKEN}`,
        '',
      ].join('\n'),
    );
  });

  it.each<[string, string[], RegExp]>([
    [
      '--api-key',
      ['--api-key', API_KEY],
      /'--invite <code>' cannot be used with option '--api-key/,
    ],
    [
      '--bearer',
      ['--bearer', SESSION_JWT],
      /'--invite <code>' cannot be used with option '--bearer/,
    ],
    ['--validate', ['--validate'], /'--invite <code>' cannot be used with option '--validate'/],
  ])(
    'exits 2 without sending anything or showing the code, given %s too',
    async (_case, args, message) => {
      const { exitCode, stdout, stderr, requests } = await runCli(['--invite', CODE, ...args]);

      expect(exitCode).toBe(ExitCode.Usage);
      expect(stderr).toMatch(message);
      expectOnlyTheProblem(stderr);
      expect(stdout).toBe('');
      expect(requests).toHaveLength(0);
      expect(stderr).not.toContain(CODE);
      expect(stderr).not.toContain(API_KEY);
      expect(stderr).not.toContain(SESSION_JWT);
    },
  );

  it.each<[string, string, RegExp]>([
    ['an empty code', '  ', /^error: --invite is empty\.\n/],
    [
      'a code with a line break',
      `${CODE}\nX-Other: 1`,
      /can hold only printable ASCII characters.*the value is not shown/,
    ],
    ['a code with non-ASCII letters', 'qzrt-wxnä-ybch-dkfs', /can hold only printable ASCII/],
  ])('exits 2 for %s, without sending or showing it', async (_case, code, message) => {
    const { exitCode, stdout, stderr, requests } = await runCli(['--invite', code]);

    expect(exitCode).toBe(ExitCode.Usage);
    expect(stderr).toMatch(message);
    expectOnlyTheProblem(stderr);
    expect(stdout).toBe('');
    expect(requests).toHaveLength(0);
    expect(stderr).not.toContain('ybch');
  });

  it('rejects a bad code with request-token.invalidCredentials, and a second credential as a conflict', async () => {
    const codeOf = async (args: string[]) => {
      const { fetch } = fakeFetch();
      const program = buildProgram({ fetch, env: {}, stdout: () => {}, stderr: () => {} });
      const error: unknown = await program
        .exitOverride()
        .parseAsync(args, { from: 'user' })
        .then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
      return error instanceof CommanderError ? error.code : error;
    };

    expect(await codeOf(['--invite', ' '])).toBe('request-token.invalidCredentials');
    expect(await codeOf(['--invite', CODE, '--bearer', SESSION_JWT])).toBe(
      'commander.conflictingOption',
    );
  });

  it('says in --help what --invite sends and that it may wait for a moderator', async () => {
    const { stdout } = await runCli(['--help']);

    expect(stdout).toMatch(/\n {2}--invite <code> +join as a guest with this invite code/);
    expect(stdout).toContain('--invite sends an invite code as X-Invite-Code');
    expect(stdout).toContain('waits until a moderator');
    expect(stdout).toContain('request-token --invite kfmw-ptra-hxce-bnqd --name "Ada Lovelace"');
  });
});
