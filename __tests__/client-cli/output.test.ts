// What the CLI prints once it has a token: the summary, --json, --quiet, what --validate
// adds, and the --env lines that sh and .env files read (env-lines.test.ts has the quoting).
import { spawnSync } from 'node:child_process';
import { parse as parseDotenv } from 'dotenv';
import { ExitCode } from '../../client-cli/src/program';
import {
  byPath,
  jsonResponse,
  runCli,
  TOKEN,
  TOKEN_ANSWER,
  VALIDATION_ANSWER,
  validatesWith,
  type Answer,
} from '../support/fake-fetch';

describe('request-token', () => {
  describe('without options', () => {
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

  describe('when the server answers with a server_url', () => {
    it('prints it in the summary', async () => {
      const { stdout } = await runCli([], {
        answer: () =>
          jsonResponse(200, { ...TOKEN_ANSWER, server_url: 'wss://livekit.example.com' }),
      });

      expect(stdout).toContain('server URL: wss://livekit.example.com\n');
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
  });
});

describe('request-token --json', () => {
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

describe('request-token --quiet', () => {
  it('prints only the token and a newline', async () => {
    const { exitCode, stdout, stderr } = await runCli(['--quiet']);

    expect(exitCode).toBe(0);
    expect(stdout).toBe(`${TOKEN}\n`);
    expect(stderr).toBe('');
  });
});

describe('request-token --validate', () => {
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
});

describe('request-token --env', () => {
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

  it.each<[string, string]>([
    ['a plain URL', 'wss://livekit.example.test'],
    ['a URL with a query, a fragment and a quote', "wss://lk.example.test/it's?a=1&b=2#x"],
    ['a URL with a $ and parentheses', 'wss://lk.example.test/$(id)?a=$HOME'],
  ])(
    'prints two lines that sh evaluates back to the URL and the token, given %s',
    async (_case, serverUrl) => {
      const { exitCode, stdout } = await runCli(['--env'], { answer: issuesWithUrl(serverUrl) });

      expect(exitCode).toBe(ExitCode.Success);
      const shell = spawnSync(
        'sh',
        ['-c', 'eval "$1" && printf "%s\\n%s\\n" "$LIVEKIT_URL" "$LIVEKIT_TOKEN"', 'sh', stdout],
        { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
      );
      expect(shell.stderr).toBe('');
      expect(shell.status).toBe(0);
      expect(shell.stdout).toBe(`${serverUrl}\n${TOKEN}\n`);
    },
  );

  it('prints lines a .env file reads back, quoted only where needed', async () => {
    const serverUrl = 'wss://lk.example.test/rtc?a=1&b=2#x';

    const { stdout } = await runCli(['--env'], { answer: issuesWithUrl(serverUrl) });

    expect(stdout).toBe(`LIVEKIT_URL='${serverUrl}'\nLIVEKIT_TOKEN=${TOKEN}\n`);
    expect(parseDotenv(stdout)).toStrictEqual({ LIVEKIT_URL: serverUrl, LIVEKIT_TOKEN: TOKEN });
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

    it('says the same for a server_url that is empty', async () => {
      const { exitCode, stdout, stderr } = await runCli(['--env'], {
        answer: () => jsonResponse(200, { ...TOKEN_ANSWER, server_url: '' }),
      });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/has no LIVEKIT_URL set/);
    });
  });
});
