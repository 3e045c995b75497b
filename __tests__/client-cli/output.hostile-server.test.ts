// What the CLI prints in each output mode when a real token server answers with hostile
// text in every field: ANSI and OSC escapes, C1 controls, CR and LF, bidi overrides. Nothing
// a terminal acts on is printed raw, no line is forged, and --json still parses to the
// server's values. A token that is not a JWT is refused in every mode, and never shown.
import { ExitCode } from '../../client-cli/src/program';
import { TOKEN } from '../support/fake-fetch';
import {
  answerJson,
  expectInert,
  HOSTILE_TEXT,
  runCliOverHttp,
  startHostileServer,
  type HostileServer,
} from '../support/hostile-server';

/** A /token answer whose every text field is `text`, with a real-looking token. */
function tokenAnswer(text: string, token = TOKEN) {
  return {
    token,
    room_name: text,
    identity: text,
    role: text,
    expires_at: text,
    server_url: text,
    [text]: text,
  };
}

/** A /validate answer whose every text field, key and value is `text`. */
function validationAnswer(text: string) {
  return {
    valid: true,
    identity: text,
    name: text,
    room: text,
    expires_at: text,
    grants: { [text]: text, roomJoin: true },
    metadata: text,
    attributes: { [text]: text },
    room_config: { agents: [{ agentName: text }] },
  };
}

/** The labels of the summary's lines, in order, as they must start each line. */
const SUMMARY_LABELS = ['room:', 'identity:', 'role:', 'expires at:', 'server URL:', 'token:'];
const VALIDATION_LABELS = [
  'validated:',
  '  identity:',
  '  name:',
  '  room:',
  '  expires at:',
  '  grants:',
  '  metadata:',
  '  attributes:',
  '  room config:',
];

/** Checks that `output` is exactly lines starting with `labels`, in order, then a newline. */
function expectLines(output: string, labels: readonly string[]): void {
  const lines = output.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines.map((line, index) => line.startsWith(labels[index] ?? '\0'))).toEqual(
    labels.map(() => true),
  );
}

describe.each(Object.entries(HOSTILE_TEXT))(
  'request-token when the server answers with %s in every field',
  (_case, text) => {
    let server: HostileServer;

    beforeAll(async () => {
      server = await startHostileServer((request, response) =>
        answerJson(
          response,
          200,
          request.path === '/validate' ? validationAnswer(text) : tokenAnswer(text),
        ),
      );
    });

    afterAll(() => server.close());

    const run = (args: string[]) => runCliOverHttp(['--server', server.url, ...args]);

    it('prints the summary inert, one line per field, and the token whole', async () => {
      const { exitCode, stdout, stderr } = await run([]);

      expect(exitCode).toBe(ExitCode.Success);
      expect(stderr).toBe('');
      expectInert(stdout);
      expectLines(stdout, SUMMARY_LABELS);
      expect(stdout).toContain(`\ntoken:      ${TOKEN}\n`);
    });

    it('with --validate, prints what /validate decoded inert, one line per field', async () => {
      const { exitCode, stdout } = await run(['--validate']);

      expect(exitCode).toBe(ExitCode.Success);
      expectInert(stdout);
      const [summary = '', validation = ''] = stdout.split('\n\n');
      expectLines(`${summary}\n`, SUMMARY_LABELS);
      expectLines(validation, VALIDATION_LABELS);
    });

    it.each<[string, string[], unknown]>([
      ['--json', ['--json'], tokenAnswer(text)],
      [
        '--json --validate',
        ['--json', '--validate'],
        { ...tokenAnswer(text), validation: validationAnswer(text) },
      ],
    ])('with %s, prints one inert line that parses to the answer', async (_mode, args, sent) => {
      const { exitCode, stdout, stderr } = await run(args);

      expect(exitCode).toBe(ExitCode.Success);
      expect(stderr).toBe('');
      expectInert(stdout);
      expect(stdout.split('\n')).toHaveLength(2);
      expect(JSON.parse(stdout)).toStrictEqual(sent);
    });

    it('with --quiet, prints the token alone', async () => {
      const { exitCode, stdout, stderr } = await run(['--quiet']);

      expect(exitCode).toBe(ExitCode.Success);
      expect(stdout).toBe(`${TOKEN}\n`);
      expect(stderr).toBe('');
    });

    it('with --env --validate, prints what /validate decoded inert on stderr', async () => {
      const plainUrl = await startHostileServer((request, response) =>
        answerJson(
          response,
          200,
          request.path === '/validate'
            ? validationAnswer(text)
            : { ...tokenAnswer(text), server_url: 'wss://livekit.example.test' },
        ),
      );
      try {
        const { exitCode, stdout, stderr } = await runCliOverHttp([
          '--server',
          plainUrl.url,
          '--env',
          '--validate',
        ]);

        expect(exitCode).toBe(ExitCode.Success);
        expect(stdout).toBe(`LIVEKIT_URL=wss://livekit.example.test\nLIVEKIT_TOKEN=${TOKEN}\n`);
        expectInert(stderr);
        expectLines(stderr, VALIDATION_LABELS);
      } finally {
        await plainUrl.close();
      }
    });
  },
);

describe('request-token when the server answers with a token that is not a JWT', () => {
  const NOT_JWTS: Array<[string, string]> = [
    ...Object.entries(HOSTILE_TEXT).map(([what, text]): [string, string] => [what, text]),
    ['a JWT with a line for .env after it', `${TOKEN}\nAUTH_MODE=none`],
    ['a JWT with a CR and a forged one after it', `${TOKEN}\r${TOKEN}`],
    ['a JWT and a space', `${TOKEN} `],
    ['two parts', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0'],
    ['four parts', `${TOKEN}.c2ln`],
    ['an empty part', 'eyJhbGciOiJIUzI1NiJ9..c2ln'],
    ['base64 that is not base64url', 'eyJh+GciOiJ9.eyJzdWIi/iJ4In0.c2ln='],
  ];

  let token = '';
  let server: HostileServer;

  beforeAll(async () => {
    server = await startHostileServer((_request, response) =>
      answerJson(response, 200, { ...tokenAnswer('lobby', token), server_url: 'wss://lk.test' }),
    );
  });

  afterAll(() => server.close());

  describe.each<[string, string[]]>([
    ['the summary', []],
    ['--quiet', ['--quiet']],
    ['--json', ['--json']],
    ['--env', ['--env']],
  ])('for %s', (_mode, args) => {
    it.each(NOT_JWTS)('exits 1 in one inert line, not showing %s', async (_case, notJwt) => {
      token = notJwt;

      const { exitCode, stdout, stderr } = await runCliOverHttp(['--server', server.url, ...args]);

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `error: the token server answered 200 UNEXPECTED_RESPONSE: The server at ${server.url} answered 200 with a token that is not a JWT (three base64url parts joined by dots), not shown; is it the token server?\n`,
      );
    });
  });
});
