// token-admin in-process with the real fetch, against a fake of the moderation API on a real
// loopback port: the commands end to end, each refusal the API answers with and the line that
// explains it, a hostile answer, a redirect, a network failure, and --all's bounds.
import { ExitCode } from '../../client-cli/src/program';
import { MAX_PAGES_FOLLOWED } from '../../client-cli/src/admin-pages';
import { API_KEY, SESSION_JWT } from '../support/fake-fetch';
import {
  runAdminCli,
  startFakeModerationServer,
  VIEWER_JWT,
  type FakeModerationServer,
} from '../support/fake-moderation-server';
import {
  answerJson,
  expectInert,
  HOSTILE_TEXT,
  startHostileServer,
  type HostileServer,
} from '../support/hostile-server';
import { freePort } from '../support/processes';

let server: FakeModerationServer;

beforeEach(async () => {
  server = await startFakeModerationServer();
});

afterEach(async () => {
  await server.close();
});

/** token-admin against the fake, as an API-key caller unless `env` says otherwise. */
function admin(args: string[], env: Record<string, string> = { TOKEN_SERVER_API_KEY: API_KEY }) {
  return runAdminCli(args, { TOKEN_SERVER_URL: server.url, ...env });
}

describe('token-admin against the moderation API', () => {
  describe('bans add, list and remove', () => {
    it('adds a ban, lists it, lifts it, and says BAN_NOT_FOUND for it then', async () => {
      const added = await admin([
        '--json',
        'bans',
        'add',
        'mallory',
        '--room',
        'demo',
        '--reason',
        'spam',
        '--duration',
        '60',
      ]);
      expect(added.exitCode).toBe(ExitCode.Success);
      const ban = JSON.parse(added.stdout) as { id: string; expires_at: string };
      expect(ban).toMatchObject({
        identity: 'mallory',
        room: 'demo',
        reason: 'spam',
        created_by: 'api-key:ops',
      });
      expect(ban.expires_at).toBe('2030-01-02T03:05:05.000Z');

      const listed = await admin(['bans', 'list', '--room', 'demo']);
      expect(listed.exitCode).toBe(ExitCode.Success);
      expect(listed.stdout.split('\n')).toEqual([
        expect.stringMatching(/^ID +IDENTITY +ROOM +EXPIRES AT +CREATED BY +REASON$/),
        expect.stringMatching(
          new RegExp(`^${ban.id} +mallory +demo +2030-01-02T03:05:05.000Z +api-key:ops +spam$`),
        ),
        '',
      ]);

      const removed = await admin(['bans', 'remove', ban.id]);
      expect(removed).toEqual({
        exitCode: ExitCode.Success,
        stdout: `lifted ban ${ban.id}\n`,
        stderr: '',
      });

      const again = await admin(['bans', 'remove', ban.id]);
      expect(again.exitCode).toBe(ExitCode.RequestFailed);
      expect(again.stdout).toBe('');
      expect(again.stderr).toContain(
        `answered /bans/${ban.id} with 404 BAN_NOT_FOUND: No ban has this id.`,
      );
      expect(again.stderr).toContain('token-admin bans list shows the bans in force');
    });

    it('prints a ban everywhere, until lifted, as such', async () => {
      const added = await admin(['bans', 'add', 'mallory']);

      expect(added.stdout).toContain('room:       (every room)');
      expect(added.stdout).toContain('expires at: (until lifted)');
      expect(added.stdout).toContain('reason:     (none)');
    });

    it('says there are none for an empty list', async () => {
      expect((await admin(['bans', 'list'])).stdout).toBe('no bans in force\n');
    });

    it('prints --json as one document', async () => {
      await admin(['bans', 'add', 'mallory']);
      const listed = await admin(['bans', 'list', '--json']);

      expect(listed.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect((JSON.parse(listed.stdout) as { bans: unknown[] }).bans).toHaveLength(1);
    });

    it('follows next to the last page, 1000 bans a page, as one list', async () => {
      for (let index = 0; index < 2_345; index += 1) {
        const id = `ban-${String(index).padStart(4, '0')}`;
        server.bans.set(id, {
          id,
          identity: `eve-${index}`,
          room: index % 2 === 0 ? 'demo' : null,
          reason: null,
          created_at: '2030-01-02T03:04:05.000Z',
          expires_at: null,
          created_by: 'api-key:key-1',
        });
      }
      const listed = await admin(['bans', 'list', '--json']);

      expect(listed.exitCode).toBe(ExitCode.Success);
      expect(listed.stderr).toBe('');
      const { bans } = JSON.parse(listed.stdout) as { bans: Array<{ id: string }> };
      expect(bans.map((ban) => ban.id)).toEqual([...server.bans.keys()]);
      expect(server.requests.map((request) => request.path)).toEqual([
        '/bans?limit=1000',
        '/bans?limit=1000&after=ban-0999',
        '/bans?limit=1000&after=ban-1999',
      ]);

      // A filter and --after travel with every page; the table lists them all.
      server.requests.length = 0;
      const demo = await admin(['bans', 'list', '--room', 'demo', '--after', 'ban-0099']);
      expect(demo.stdout.split('\n').filter((line) => line.startsWith('ban-'))).toHaveLength(1_123);
      expect(server.requests.map((request) => request.path)).toEqual([
        '/bans?room=demo&limit=1000&after=ban-0099',
        '/bans?room=demo&limit=1000&after=ban-2098',
      ]);
    });
  });

  describe('rooms limit and show', () => {
    it('sets a cap, shows it with the seats, and lifts it', async () => {
      const limited = await admin(['rooms', 'limit', 'demo', '5']);
      expect(limited.exitCode).toBe(ExitCode.Success);
      expect(limited.stdout).toBe(
        [
          'room:             demo',
          'max participants: 5',
          'seats used:       3 of 5',
          'participants:     ada, grace',
          'seats held:       linus',
          'last heard at:    2030-01-02T03:04:05.000Z',
          '',
        ].join('\n'),
      );

      await admin(['rooms', 'limit', 'demo', 'none']);
      const shown = await admin(['rooms', 'show', 'demo', '--json']);
      expect(JSON.parse(shown.stdout)).toMatchObject({ room: 'demo', max_participants: null });
    });

    it('shows a quiet room as such', async () => {
      const shown = await admin(['rooms', 'show', 'empty']);

      expect(shown.stdout).toContain('participants:     (none)');
      expect(shown.stdout).toContain('last heard at:    (never)');
    });
  });

  describe('audit', () => {
    beforeEach(async () => {
      for (const identity of ['a1', 'a2', 'a3', 'a4', 'a5']) {
        await admin(['bans', 'add', identity, '--room', 'demo', '--reason', 'spam']);
      }
    });

    it('prints one page as a table, and on stderr how to read on', async () => {
      const page = await admin(['audit', 'demo', '--limit', '2']);

      expect(page.exitCode).toBe(ExitCode.Success);
      expect(page.stdout.split('\n')).toEqual([
        expect.stringMatching(/^AT +EVENT +IDENTITY +ACTOR +DETAILS$/),
        expect.stringMatching(
          /^2030-01-02T03:04:00.000Z +ban_added +a1 +api-key:ops +\{"reason":"spam"\}$/,
        ),
        expect.stringMatching(/ a2 /),
        '',
      ]);
      expect(page.stderr).toBe(
        'more entries: token-admin audit demo --after 00000002 (or --all)\n',
      );

      const next = await admin(['audit', 'demo', '--limit', '2', '--after', '00000002']);
      expect(next.stdout).toMatch(/ a3 [\s\S]* a4 /);
    });

    it('follows next to the last page with --all, as one JSON document', async () => {
      const all = await admin(['audit', 'demo', '--limit', '2', '--all', '--json']);

      expect(all.exitCode).toBe(ExitCode.Success);
      expect(all.stderr).toBe('');
      const document = JSON.parse(all.stdout) as {
        entries: Array<{ identity: string }>;
        next?: string;
      };
      expect(document.entries.map((entry) => entry.identity)).toEqual([
        'a1',
        'a2',
        'a3',
        'a4',
        'a5',
      ]);
      expect(document.next).toBeUndefined();
      expect(server.requests.filter((request) => request.path.includes('/audit'))).toHaveLength(3);
    });

    it('filters by --identity and --since', async () => {
      const only = await admin([
        'audit',
        'demo',
        '--identity',
        'a3',
        '--since',
        '2030-01-01',
        '--json',
      ]);

      expect((JSON.parse(only.stdout) as { entries: unknown[] }).entries).toHaveLength(1);
    });

    it('says so for no entries', async () => {
      expect((await admin(['audit', 'elsewhere'])).stdout).toBe('no audit entries\n');
    });
  });

  describe('refusals of the API', () => {
    it('explains NOT_A_MODERATOR: who may moderate', async () => {
      const refused = await admin(['bans', 'list'], { TOKEN_SERVER_BEARER: VIEWER_JWT });

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.split('\n')).toEqual([
        'error: the token server answered /bans with 403 NOT_A_MODERATOR: Only moderators may do this.',
        expect.stringMatching(
          /^only moderators may do this: callers with an API key \(--api-key\), logins whose role has roomAdmin, and LiveKit tokens with roomAdmin for this room \(--bearer\)/,
        ),
        '',
      ]);
      expect(refused.stderr).not.toContain(VIEWER_JWT);
    });

    it('takes a moderator login as --bearer', async () => {
      const added = await admin(['bans', 'add', 'mallory', '--json'], {
        TOKEN_SERVER_BEARER: SESSION_JWT,
      });

      expect(added.exitCode).toBe(ExitCode.Success);
      expect(JSON.parse(added.stdout)).toMatchObject({ created_by: 'login:ada-1815' });
    });

    it.each<[string, Record<string, string>, RegExp]>([
      ['AUTHENTICATION_REQUIRED', {}, /401 AUTHENTICATION_REQUIRED[\s\S]*pass --api-key/],
      [
        'INVALID_CREDENTIALS',
        { TOKEN_SERVER_API_KEY: 'wrong-key' },
        /401 INVALID_CREDENTIALS[\s\S]*check the API key/,
      ],
    ])('explains %s', async (_code, env, explanation) => {
      const refused = await admin(['rooms', 'show', 'demo'], env);

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(explanation);
      expect(refused.stderr).not.toContain('wrong-key');
    });

    it('prints the details of a VALIDATION_ERROR', async () => {
      server.override = (request, response) => {
        if (request.method !== 'POST') return false;
        answerJson(response, 400, {
          error: {
            code: 'VALIDATION_ERROR',
            message: 'The request is not valid.',
            details: [{ field: 'identity', message: 'is too long' }],
          },
        });
        return true;
      };
      const refused = await admin(['bans', 'add', 'x'.repeat(300)]);

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stderr).toContain(
        '400 VALIDATION_ERROR: The request is not valid.\n  - identity: is too long\n',
      );
    });

    it.each<[string, number, string[], string]>([
      ['BANNED', 403, ['rooms', 'show', 'demo'], 'the identity is banned from this room'],
      ['BAN_NOT_FOUND', 404, ['bans', 'remove', 'nope'], 'no ban has this id'],
      [
        'ROOM_FULL',
        409,
        ['rooms', 'show', 'demo'],
        'the room has no free seat: raise its cap with token-admin rooms limit',
      ],
      [
        'IDENTITY_IN_USE',
        409,
        ['rooms', 'show', 'demo'],
        'a participant with this identity is already in the room',
      ],
      [
        'MODERATION_UNAVAILABLE',
        503,
        ['bans', 'add', 'mallory'],
        'the token server cannot reach its moderation store',
      ],
      ['INVALID_WEBHOOK', 401, ['bans', 'list'], 'not to token-admin: check --server'],
      ['NOT_FOUND', 404, ['bans', 'list'], 'this token server has no moderation API'],
    ])('explains %s in one line', async (code, status, args, explanation) => {
      server.override = (_request, response) => {
        answerJson(response, status, { error: { code, message: `The server says ${code}.` } });
        return true;
      };
      const refused = await admin(args);

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stdout).toBe('');
      const lines = refused.stderr.split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(
        new RegExp(
          `^error: the token server answered /\\S+ with ${status} ${code}: The server says ${code}\\.$`,
        ),
      );
      expect(lines[1]).toContain(explanation);
    });

    it('says how long to wait after RATE_LIMITED', async () => {
      server.override = (_request, response) => {
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
        response.end(JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'Slow down.' } }));
        return true;
      };
      const refused = await admin(['bans', 'list']);

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stderr).toContain('retry after 7 seconds');
    });
  });

  describe('a hostile or broken server', () => {
    let other: HostileServer | undefined;

    afterEach(async () => {
      await other?.close();
      other = undefined;
    });

    it('prints what it sends inert, in the table and in errors', async () => {
      const hostile = Object.values(HOSTILE_TEXT).join('');
      server.override = (request, response) => {
        if (request.path.startsWith('/bans')) {
          answerJson(response, 200, {
            bans: [
              {
                id: hostile,
                identity: hostile,
                room: hostile,
                reason: hostile,
                created_at: hostile,
                expires_at: hostile,
                created_by: hostile,
              },
            ],
          });
        } else {
          answerJson(response, 403, {
            error: {
              code: hostile,
              message: hostile,
              details: [{ field: hostile, message: hostile }],
            },
          });
        }
        return true;
      };
      for (const args of [
        ['bans', 'list'],
        ['bans', 'list', '--json'],
        ['rooms', 'show', 'demo'],
      ]) {
        const result = await admin(args);
        expectInert(result.stdout);
        expectInert(result.stderr);
        expect(`${result.stdout}${result.stderr}`).toContain('\\u001b');
      }
    });

    it('refuses an answer that is not the one asked for, as UNEXPECTED_RESPONSE', async () => {
      server.override = (_request, response) => {
        answerJson(response, 200, { token: 'not a room' });
        return true;
      };
      const refused = await admin(['rooms', 'show', 'demo']);

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('200 UNEXPECTED_RESPONSE');
      expect(refused.stderr).toContain(
        'without a room; is it a token server with the moderation API?',
      );
    });

    it('never follows a redirect, naming only its origin', async () => {
      other = await startHostileServer((_request, response) => answerJson(response, 200, {}));
      server.override = (_request, response) => {
        response.writeHead(307, { location: `${other?.url ?? ''}/steal?key=abc` }).end();
        return true;
      };
      const refused = await admin(['bans', 'add', 'mallory']);

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(other.requests).toEqual([]);
      expect(refused.stderr).toBe(
        `error: the token server at ${server.url} answered /bans with 307, a redirect to ${other.url}; token-admin does not follow redirects, which would send the credentials and the request there: if that is the token server, use it as --server (or TOKEN_SERVER_URL).\n`,
      );
    });

    it('stops reading past 4 MiB', async () => {
      server.override = (_request, response) => {
        answerJson(response, 200, { bans: [], padding: 'x'.repeat(5 * 1024 * 1024) });
        return true;
      };
      const refused = await admin(['bans', 'list']);

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stderr).toContain('more than 4 MiB');
      expect(refused.stderr).toContain('token-admin stopped reading');
    });

    it('stops --all at a cursor it gave before', async () => {
      server.override = (_request, response) => {
        answerJson(response, 200, { entries: [], next: 'same' });
        return true;
      };
      const refused = await admin(['audit', 'demo', '--all']);

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('answered the same audit cursor twice');
      expect(server.requests).toHaveLength(2);
    });

    it(`stops --all after ${MAX_PAGES_FOLLOWED} pages of a trail without end, saying where to go on`, async () => {
      let page = 0;
      server.override = (_request, response) => {
        page += 1;
        answerJson(response, 200, { entries: [], next: `cursor-${page}` });
        return true;
      };
      const stopped = await admin(['audit', 'demo', '--all', '--json']);

      expect(stopped.exitCode).toBe(ExitCode.Success);
      expect(server.requests).toHaveLength(MAX_PAGES_FOLLOWED);
      expect(JSON.parse(stopped.stdout)).toStrictEqual({
        entries: [],
        next: `cursor-${MAX_PAGES_FOLLOWED}`,
      });
      expect(stopped.stderr).toBe(
        `--all stopped at its bound; more entries: token-admin audit demo --after cursor-${MAX_PAGES_FOLLOWED} (or --all)\n`,
      );
    });
  });

  describe('bans list against a server that never stops', () => {
    it('stops at a cursor it gave before', async () => {
      server.override = (_request, response) => {
        answerJson(response, 200, { bans: [], next: 'same' });
        return true;
      };
      const refused = await admin(['bans', 'list']);

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('answered the same ban cursor twice');
      expect(server.requests).toHaveLength(2);
    });

    it(`stops after ${MAX_PAGES_FOLLOWED} pages, saying where to go on`, async () => {
      let page = 0;
      server.override = (_request, response) => {
        page += 1;
        answerJson(response, 200, { bans: [], next: `cursor-${page}` });
        return true;
      };
      const stopped = await admin(['bans', 'list', '--identity', 'eve', '--json']);

      expect(stopped.exitCode).toBe(ExitCode.Success);
      expect(server.requests).toHaveLength(MAX_PAGES_FOLLOWED);
      expect(JSON.parse(stopped.stdout)).toStrictEqual({
        bans: [],
        next: `cursor-${MAX_PAGES_FOLLOWED}`,
      });
      expect(stopped.stderr).toBe(
        `bans list stopped at its bound; more bans: token-admin bans list --identity eve --after cursor-${MAX_PAGES_FOLLOWED}\n`,
      );
    });
  });

  describe('a server that cannot be reached', () => {
    it('exits 1 naming the URL tried and how to start one', async () => {
      const port = await freePort();
      const result = await runAdminCli(['bans', 'list', '--server', `http://127.0.0.1:${port}`], {
        TOKEN_SERVER_API_KEY: API_KEY,
      });

      expect(result.exitCode).toBe(ExitCode.RequestFailed);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(
          `^error: could not reach the token server at http://127.0.0.1:${port} \\(.*ECONNREFUSED`,
        ),
      );
      expect(result.stderr).toContain('./start_token_server.sh');
    });
  });
});
