// token-admin's invites and lobby commands, run in-process with a fake fetch: what each sends
// for its arguments and options, and what it refuses before sending anything (exit code 2).
import { ExitCode } from '../../client-cli/src/program';
import { API_KEY, jsonResponse, SESSION_JWT } from '../support/fake-fetch';
import { runAdminCli } from '../support/fake-moderation-server';

/** One request the fake fetch received. */
interface Sent {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: unknown;
}

const INVITE = {
  id: 'i-1',
  room: 'lab',
  role: 'participant',
  max_uses: 1,
  uses: 0,
  expires_at: '2030-01-03T03:04:05.000Z',
  identity: null,
  name: null,
  waiting_room: false,
  created_at: '2030-01-02T03:04:05.000Z',
  created_by: 'api-key:ops',
};
const CREATED = { ...INVITE, code: 'kfmw-ptra-hxce-bnqd' };
const DECISION = {
  id: 'e-1',
  status: 'admitted',
  identity: 'guest-3f9a',
  name: null,
  role: 'participant',
  since: '2030-01-02T03:04:05.000Z',
  decided_at: '2030-01-02T03:05:05.000Z',
  decided_by: 'api-key:ops',
};

/** Runs token-admin with a fetch that records the request and answers `answer`. */
async function runWith(args: string[], answer: unknown, env: Record<string, string> = {}) {
  const sent: Sent[] = [];
  const result = await runAdminCli(
    args,
    { TOKEN_SERVER_API_KEY: API_KEY, ...env },
    async (url, init) => {
      sent.push({
        url,
        method: init.method,
        headers: new Headers(init.headers),
        body: init.body === undefined ? undefined : (JSON.parse(String(init.body)) as unknown),
      });
      return answer === undefined ? new Response(null, { status: 204 }) : jsonResponse(200, answer);
    },
  );
  return { ...result, sent };
}

describe('token-admin', () => {
  describe('invites create <room> --role --max-uses --expires-in --identity --name --waiting-room', () => {
    it('sends POST /invites with each as the field the server reads, and the API key', async () => {
      const { exitCode, sent } = await runWith(
        [
          'invites',
          'create',
          'lab',
          '--role',
          'viewer',
          '--max-uses',
          '5',
          '--expires-in',
          '3600',
          '--identity',
          'ada',
          '--name',
          'Ada Lovelace',
          '--waiting-room',
        ],
        CREATED,
      );

      expect(exitCode).toBe(ExitCode.Success);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.url).toBe('http://localhost:8002/invites');
      expect(sent[0]?.method).toBe('POST');
      expect(sent[0]?.headers.get('x-api-key')).toBe(API_KEY);
      expect(sent[0]?.headers.get('content-type')).toBe('application/json');
      expect(sent[0]?.body).toStrictEqual({
        room: 'lab',
        role: 'viewer',
        max_uses: 5,
        expires_in_seconds: 3600,
        identity: 'ada',
        name: 'Ada Lovelace',
        waiting_room: true,
      });
    });

    it("sends the room alone without options: the server's defaults", async () => {
      const { sent } = await runWith(['invites', 'create', 'lab'], CREATED);

      expect(sent[0]?.body).toStrictEqual({ room: 'lab' });
    });

    it.each<[string, string]>([
      ['--max-uses', '10000'],
      ['--expires-in', '60'],
      ['--expires-in', '2592000'],
    ])('takes %s %s, a bound', async (option, value) => {
      const { exitCode } = await runWith(['invites', 'create', 'lab', option, value], CREATED);

      expect(exitCode).toBe(ExitCode.Success);
    });
  });

  describe('invites list <room>', () => {
    it('sends GET /invites with the room in the query and no body', async () => {
      const { sent } = await runWith(['invites', 'list', 'a room&more'], { invites: [INVITE] });

      expect(sent[0]?.method).toBe('GET');
      expect(sent[0]?.url).toBe('http://localhost:8002/invites?room=a+room%26more');
      expect(sent[0]?.body).toBeUndefined();
    });
  });

  describe('invites revoke <id>', () => {
    it('sends DELETE /invites/{id}, the id percent-encoded', async () => {
      const { exitCode, sent, stdout } = await runWith(['invites', 'revoke', 'a/b?c'], undefined);

      expect(exitCode).toBe(ExitCode.Success);
      expect(sent[0]?.method).toBe('DELETE');
      expect(sent[0]?.url).toBe('http://localhost:8002/invites/a%2Fb%3Fc');
      expect(stdout).toBe('revoked invite a/b?c\n');
    });

    it('prints nothing with --json: the server answers 204 without a body', async () => {
      const { exitCode, stdout } = await runWith(['invites', 'revoke', 'i-1', '--json'], undefined);

      expect(exitCode).toBe(ExitCode.Success);
      expect(stdout).toBe('');
    });
  });

  describe('lobby list <room>, lobby admit <room> <id>, lobby deny <room> <id>', () => {
    it('sends GET /rooms/{room}/lobby, the room percent-encoded', async () => {
      const { sent } = await runWith(['lobby', 'list', 'a/b c'], { waiting: [] });

      expect(sent[0]?.method).toBe('GET');
      expect(sent[0]?.url).toBe('http://localhost:8002/rooms/a%2Fb%20c/lobby');
    });

    it.each<[string, string]>([
      ['admit', 'admitted'],
      ['deny', 'denied'],
    ])('sends POST /rooms/{room}/lobby/{id}/%s without a body', async (decision, status) => {
      const { exitCode, sent } = await runWith(
        ['lobby', decision, 'a/b', 'e/1', '--bearer', SESSION_JWT],
        { ...DECISION, status },
      );

      expect(exitCode).toBe(ExitCode.Success);
      expect(sent[0]?.method).toBe('POST');
      expect(sent[0]?.url).toBe(`http://localhost:8002/rooms/a%2Fb/lobby/e%2F1/${decision}`);
      expect(sent[0]?.body).toBeUndefined();
      expect(sent[0]?.headers.get('authorization')).toBe(`Bearer ${SESSION_JWT}`);
    });
  });

  describe('refuses before sending anything (exit code 2)', () => {
    it.each<[string, string[], RegExp]>([
      ['--max-uses 0', ['invites', 'create', 'lab', '--max-uses', '0'], /from 1 to 10000/],
      ['--max-uses 10001', ['invites', 'create', 'lab', '--max-uses', '10001'], /from 1 to 10000/],
      ['--max-uses 1.5', ['invites', 'create', 'lab', '--max-uses=1.5'], /whole number of uses/],
      ['--expires-in 59', ['invites', 'create', 'lab', '--expires-in', '59'], /from 60 to 2592000/],
      [
        '--expires-in 2592001',
        ['invites', 'create', 'lab', '--expires-in', '2592001'],
        /from 60 to 2592000/,
      ],
      ['--expires-in 1h', ['invites', 'create', 'lab', '--expires-in', '1h'], /whole number/],
      ['an empty room', ['invites', 'create', ' '], /Expected a room name/],
      ['an empty --role', ['invites', 'create', 'lab', '--role', ''], /Expected a role name/],
      ['no room to list', ['invites', 'list'], /missing required argument 'room'/],
      ['no id to revoke', ['invites', 'revoke'], /missing required argument 'id'/],
      ['no id to admit', ['lobby', 'admit', 'lab'], /missing required argument 'id'/],
      ['an empty id to deny', ['lobby', 'deny', 'lab', ' '], /Expected an entry id/],
      ['an unknown lobby command', ['lobby', 'kick', 'lab', 'e-1'], /unknown command 'kick'/],
      [
        'a --server ending with /invites',
        ['--server', 'http://h:8002/invites', 'invites', 'list', 'lab'],
        /drop \/invites/,
      ],
    ])('%s', async (_case, args, problem) => {
      const { exitCode, sent, stdout, stderr } = await runWith(args, CREATED);

      expect(exitCode).toBe(ExitCode.Usage);
      expect(sent).toEqual([]);
      expect(stdout).toBe('');
      expect(stderr).toMatch(problem);
      expect(stderr.trimEnd().split('\n').at(-1)).toBe('see token-admin --help');
    });

    it.each([['invites'], ['lobby']])(
      'prints the help of %s on stderr without a command',
      async (group) => {
        const { exitCode, sent, stderr } = await runWith([group], CREATED);

        expect(exitCode).toBe(ExitCode.Usage);
        expect(sent).toEqual([]);
        expect(stderr).toContain(`Usage: token-admin ${group}`);
      },
    );
  });

  describe('--help', () => {
    it('lists invites and lobby among the commands, with examples', async () => {
      const { exitCode, stdout } = await runWith(['--help'], CREATED);

      expect(exitCode).toBe(ExitCode.Success);
      expect(stdout).toMatch(/\n {2}invites +make, list and revoke invite codes\n/);
      expect(stdout).toMatch(/\n {2}lobby +see who waits in a room's waiting room/);
      expect(stdout).toContain('token-admin invites create demo --max-uses 5 --waiting-room');
      expect(stdout).toContain('token-admin lobby admit demo');
    });

    it("prints invites create's options and their bounds", async () => {
      const { stdout } = await runWith(['invites', 'create', '--help'], CREATED);

      expect(stdout).toContain('Usage: token-admin invites create [options] <room>');
      for (const option of [
        '--role <name>',
        '--max-uses <n>',
        '--expires-in <seconds>',
        '--identity <identity>',
        '--name <name>',
        '--waiting-room',
      ]) {
        expect(stdout).toContain(`\n  ${option} `);
      }
      expect(stdout).toContain('1 to 10000');
    });
  });
});
