// token-admin as a whole, run in-process with a fake fetch: what it sends for each command
// and option, and the arguments it refuses before sending anything (exit code 2).
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

const BAN = {
  id: 'b-1',
  identity: 'mallory',
  room: 'demo',
  reason: 'spam',
  created_at: '2030-01-02T03:04:05.000Z',
  expires_at: null,
  created_by: 'api-key:ops',
};
const ROOM = {
  room: 'demo',
  max_participants: 50,
  participants: ['ada'],
  seats_held: [],
  seats_used: 1,
  last_heard_at: null,
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
  describe('bans add <identity> --room --reason --duration', () => {
    it('sends POST /bans with identity, room, reason and duration_seconds, and the API key', async () => {
      const { exitCode, sent, stdout } = await runWith(
        ['bans', 'add', 'mallory', '--room', 'demo', '--reason', 'spam', '--duration', '3600'],
        BAN,
      );

      expect(exitCode).toBe(ExitCode.Success);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.url).toBe('http://localhost:8002/bans');
      expect(sent[0]?.method).toBe('POST');
      expect(sent[0]?.headers.get('x-api-key')).toBe(API_KEY);
      expect(sent[0]?.headers.get('content-type')).toBe('application/json');
      expect(sent[0]?.body).toStrictEqual({
        identity: 'mallory',
        room: 'demo',
        reason: 'spam',
        duration_seconds: 3600,
      });
      expect(stdout).toContain('identity:   mallory');
      expect(stdout).not.toContain(API_KEY);
    });

    it('sends the identity alone without options: every room, until lifted', async () => {
      const { sent } = await runWith(['bans', 'add', 'mallory'], { ...BAN, room: null });

      expect(sent[0]?.body).toStrictEqual({ identity: 'mallory' });
    });
  });

  describe('bans list --room --identity', () => {
    it('sends GET /bans with the filters in the query and no body', async () => {
      const { sent, stdout } = await runWith(
        ['bans', 'list', '--room', 'a room', '--identity', 'ada&grace'],
        { bans: [BAN] },
      );

      expect(sent[0]?.method).toBe('GET');
      expect(sent[0]?.url).toBe(
        'http://localhost:8002/bans?room=a+room&identity=ada%26grace&limit=1000',
      );
      expect(sent[0]?.body).toBeUndefined();
      expect(sent[0]?.headers.get('content-type')).toBeNull();
      expect(stdout.split('\n')[0]).toMatch(/^ID +IDENTITY +ROOM +EXPIRES AT +CREATED BY +REASON$/);
    });
  });

  describe('bans remove <id>', () => {
    it('sends DELETE /bans/{id}, the id percent-encoded', async () => {
      const { exitCode, sent, stdout } = await runWith(['bans', 'remove', 'a/b?c'], undefined);

      expect(exitCode).toBe(ExitCode.Success);
      expect(sent[0]?.method).toBe('DELETE');
      expect(sent[0]?.url).toBe('http://localhost:8002/bans/a%2Fb%3Fc');
      expect(stdout).toBe('lifted ban a/b?c\n');
    });

    it('prints nothing with --json: the server answers 204 without a body', async () => {
      const { exitCode, stdout } = await runWith(['--json', 'bans', 'remove', 'b-1'], undefined);

      expect(exitCode).toBe(ExitCode.Success);
      expect(stdout).toBe('');
    });
  });

  describe('rooms show <room> and rooms limit <room> <N|none>', () => {
    it('sends GET /rooms/{room}, the room percent-encoded', async () => {
      const { sent } = await runWith(['rooms', 'show', 'a/b c'], ROOM);

      expect(sent[0]?.method).toBe('GET');
      expect(sent[0]?.url).toBe('http://localhost:8002/rooms/a%2Fb%20c');
    });

    it.each<[string, number | null]>([
      ['50', 50],
      ['none', null],
      ['NONE', null],
    ])('sends PUT /rooms/{room} with max_participants for %s', async (given, expected) => {
      const { exitCode, sent } = await runWith(['rooms', 'limit', 'demo', given], ROOM);

      expect(exitCode).toBe(ExitCode.Success);
      expect(sent[0]?.method).toBe('PUT');
      expect(sent[0]?.url).toBe('http://localhost:8002/rooms/demo');
      expect(sent[0]?.body).toStrictEqual({ max_participants: expected });
    });
  });

  describe('audit <room> --since --until --identity --limit --after', () => {
    it('sends GET /rooms/{room}/audit with each in the query', async () => {
      const { sent } = await runWith(
        [
          'audit',
          'demo',
          '--since',
          '2030-01-01T00:00:00Z',
          '--until',
          '2030-01-02',
          '--identity',
          'ada',
          '--limit',
          '10',
          '--after',
          'c+1',
        ],
        { entries: [] },
      );

      const url = new URL(sent[0]?.url ?? '');
      expect(url.pathname).toBe('/rooms/demo/audit');
      expect(Object.fromEntries(url.searchParams)).toStrictEqual({
        since: '2030-01-01T00:00:00Z',
        until: '2030-01-02',
        identity: 'ada',
        limit: '10',
        after: 'c+1',
      });
    });
  });

  describe('credentials and server', () => {
    it('sends --bearer as Authorization: Bearer, given after the command', async () => {
      const { sent } = await runWith(['rooms', 'show', 'demo', '--bearer', SESSION_JWT], ROOM);

      expect(sent[0]?.headers.get('authorization')).toBe(`Bearer ${SESSION_JWT}`);
      expect(sent[0]?.headers.get('x-api-key')).toBeNull();
    });

    it('asks --server, given before the command', async () => {
      const { sent } = await runWith(
        ['--server', 'https://mod.example.com/tk/', 'rooms', 'show', 'demo'],
        ROOM,
      );

      expect(sent[0]?.url).toBe('https://mod.example.com/tk/rooms/demo');
    });
  });

  describe('refuses before sending anything (exit code 2)', () => {
    it.each<[string, string[], Record<string, string>, RegExp]>([
      [
        'a cap that is not a number',
        ['rooms', 'limit', 'r', 'abc'],
        {},
        /argument 'N\|none'.*Expected a whole number/,
      ],
      ['a cap of 0', ['rooms', 'limit', 'r', '0'], {}, /Expected a whole number of participants/],
      [
        'a negative duration',
        ['bans', 'add', 'ada', '--duration', '-5'],
        {},
        /'-5' is invalid. Expected a positive whole number of seconds/,
      ],
      [
        'a fractional duration',
        ['bans', 'add', 'ada', '--duration=1.5'],
        {},
        /positive whole number/,
      ],
      ['an audit --limit of 0', ['audit', 'r', '--limit', '0'], {}, /from 1 to 1000/],
      ['an audit --limit over 1000', ['audit', 'r', '--limit', '1001'], {}, /from 1 to 1000/],
      ['a --since that is not ISO 8601', ['audit', 'r', '--since', 'yesterday'], {}, /ISO 8601/],
      ['an empty identity', ['bans', 'add', ' '], {}, /Expected an identity/],
      ['a missing argument', ['rooms', 'limit', 'r'], {}, /missing required argument/],
      ['an unknown command', ['kick', 'ada'], {}, /unknown command 'kick'/],
      [
        'both credential flags',
        ['--api-key', 'k', '--bearer', 'j', 'bans', 'list'],
        {},
        /cannot be used with/,
      ],
      [
        'both credential variables',
        ['bans', 'list'],
        { TOKEN_SERVER_BEARER: SESSION_JWT },
        /both set/,
      ],
      [
        'a --server ending with /bans',
        ['--server', 'http://h:8002/bans', 'bans', 'list'],
        {},
        /drop \/bans/,
      ],
      [
        'a TOKEN_SERVER_URL ending with /rooms',
        ['bans', 'list'],
        { TOKEN_SERVER_URL: 'http://h/rooms' },
        /TOKEN_SERVER_URL/,
      ],
    ])('%s', async (_case, args, env, problem) => {
      const { exitCode, sent, stdout, stderr } = await runWith(args, ROOM, env);

      expect(exitCode).toBe(ExitCode.Usage);
      expect(sent).toEqual([]);
      expect(stdout).toBe('');
      expect(stderr).toMatch(problem);
      expect(stderr.trimEnd().split('\n').at(-1)).toBe('see token-admin --help');
      expect(stderr).not.toContain(API_KEY);
    });

    it('prints the group help on stderr for a group without a command', async () => {
      const { exitCode, sent, stderr } = await runWith(['bans'], ROOM);

      expect(exitCode).toBe(ExitCode.Usage);
      expect(sent).toEqual([]);
      expect(stderr).toContain('Usage: token-admin bans');
    });
  });

  describe('--help and --version', () => {
    it('prints the help with the exit codes and exits 0', async () => {
      const { exitCode, stdout, sent } = await runWith(['--help'], ROOM);

      expect(exitCode).toBe(ExitCode.Success);
      expect(sent).toEqual([]);
      expect(stdout).toContain('Usage: token-admin [options] [command]');
      expect(stdout).toContain('Exit codes:');
    });

    it("prints a command's help and exits 0", async () => {
      const { exitCode, stdout } = await runWith(['audit', '--help'], ROOM);

      expect(exitCode).toBe(ExitCode.Success);
      expect(stdout).toContain('--all');
    });

    it('prints the version and exits 0', async () => {
      const { exitCode, stdout } = await runWith(['--version'], ROOM);

      expect(exitCode).toBe(ExitCode.Success);
      expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    });
  });
});
