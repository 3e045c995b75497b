// token-admin's invites and lobby commands in-process with the real fetch, against a fake of
// the invite and waiting room routes on a real loopback port: each command end to end, a guest
// that request-token keeps waiting until token-admin admits or denies it, each refusal and the
// line that explains it, and answers that are not the ones asked for.
import { ExitCode } from '../../client-cli/src/program';
import { API_KEY, SESSION_JWT, TOKEN } from '../support/fake-fetch';
import { startFakeInviteServer, type FakeInviteServer } from '../support/fake-invite-server';
import { runAdminCli } from '../support/fake-moderation-server';
import { answerJson, expectInert, HOSTILE_TEXT, runCliOverHttp } from '../support/hostile-server';

let server: FakeInviteServer;

beforeEach(async () => {
  server = await startFakeInviteServer();
});

afterEach(async () => {
  await server.close();
});

/** token-admin against the fake, as an API-key caller unless `env` says otherwise. */
function admin(args: string[], env: Record<string, string> = { TOKEN_SERVER_API_KEY: API_KEY }) {
  return runAdminCli(args, { TOKEN_SERVER_URL: server.url, ...env });
}

/** request-token against the fake. */
function guest(args: string[]) {
  return runCliOverHttp(['--server', server.url, ...args]);
}

describe('token-admin against the invite and waiting room routes', () => {
  describe('invites create, list and revoke', () => {
    it('prints the code first, apart, then the invite, and answers it as the server made it', async () => {
      const created = await admin(['invites', 'create', 'lab', '--max-uses', '3']);

      expect(created.exitCode).toBe(ExitCode.Success);
      expect(created.stderr).toBe('');
      const [invite] = server.invites.values();
      const lines = created.stdout.split('\n');
      expect(lines.slice(0, 3)).toEqual([
        expect.stringMatching(/^code: [a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4}$/),
        'The code is shown only this once: pass it on now (request-token --invite <code>).',
        '',
      ]);
      expect(lines.slice(3)).toEqual([
        `invite:       ${invite?.id ?? ''}`,
        'room:         lab',
        'role:         participant',
        'uses:         0 of 3',
        'expires at:   2030-01-03T03:04:05.000Z',
        'identity:     (guest-<random>)',
        'name:         (none)',
        'waiting room: no',
        'created at:   2030-01-02T03:04:05.000Z',
        'created by:   api-key:ops',
        '',
      ]);
      const code = lines[0]?.replace('code: ', '') ?? '';
      expect((await guest(['--invite', code, '--quiet'])).stdout).toBe(`${TOKEN}\n`);
    });

    it('prints the url next to the code when the server has INVITE_URL_BASE', async () => {
      server.inviteUrlBase = 'https://app.example/join';
      const created = await admin(['invites', 'create', 'lab', '--waiting-room']);

      expect(created.stdout).toMatch(
        /^code: ([a-z-]{19})\nurl: {2}https:\/\/app\.example\/join\?code=\1\nThe code is shown only this once/,
      );
      expect(created.stdout).toContain('waiting room: yes: a moderator admits each guest\n');
    });

    it('prints --json as the server sent it, with the code', async () => {
      const created = await admin(['--json', 'invites', 'create', 'lab', '--identity', 'ada']);

      expect(created.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(JSON.parse(created.stdout)).toMatchObject({
        code: expect.stringMatching(/^[a-z]{4}(-[a-z]{4}){3}$/) as unknown,
        room: 'lab',
        identity: 'ada',
        uses: 0,
        max_uses: 1,
      });
    });

    it('lists the invites as a table without their codes, revokes one, and says INVITE_NOT_FOUND then', async () => {
      const code = server.addInvite('lab', { role: 'viewer', max_uses: 5, uses: 2 });
      server.addInvite('lab', { waiting_room: true, identity: 'ada' });
      server.addInvite('elsewhere');
      const [first, second] = server.invites.values();

      const listed = await admin(['invites', 'list', 'lab']);
      expect(listed.exitCode).toBe(ExitCode.Success);
      expect(listed.stdout.split('\n')).toEqual([
        expect.stringMatching(/^ID +ROLE +USES +EXPIRES AT +WAITING ROOM +IDENTITY$/),
        expect.stringMatching(
          new RegExp(
            `^${first?.id ?? ''} +viewer +2/5 +2030-01-03T03:04:05.000Z +no +\\(guest-<random>\\)$`,
          ),
        ),
        expect.stringMatching(
          new RegExp(`^${second?.id ?? ''} +participant +0/1 +\\S+ +yes +ada$`),
        ),
        '',
      ]);
      expect(listed.stdout).not.toContain(code);

      const revoked = await admin(['invites', 'revoke', first?.id ?? '']);
      expect(revoked).toEqual({
        exitCode: ExitCode.Success,
        stdout: `revoked invite ${first?.id ?? ''}\n`,
        stderr: '',
      });
      expect((await guest(['--invite', code])).stderr).toContain('404 INVITE_NOT_FOUND');

      const again = await admin(['invites', 'revoke', first?.id ?? '']);
      expect(again.exitCode).toBe(ExitCode.RequestFailed);
      expect(again.stdout).toBe('');
      expect(again.stderr.split('\n')).toEqual([
        `error: the token server answered /invites/${first?.id ?? ''} with 404 INVITE_NOT_FOUND: No invite has this id.`,
        'no invite has this id: it may have been revoked already or mistyped; token-admin invites list <room> shows the invites and their ids.',
        '',
      ]);
    });

    it('says there are none for a room without invites', async () => {
      expect((await admin(['invites', 'list', 'quiet'])).stdout).toBe('no invites\n');
    });

    it('explains ROLE_NOT_ALLOWED for a login that invites to host', async () => {
      const refused = await admin(['invites', 'create', 'lab', '--role', 'host'], {
        TOKEN_SERVER_BEARER: SESSION_JWT,
      });

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stderr).toContain('answered /invites with 403 ROLE_NOT_ALLOWED');
      expect(refused.stderr).toContain(
        'a moderator may invite only to roles it may grant: roles with roomAdmin, such as host, need an API-key caller (--api-key)',
      );
      expect(refused.stderr).not.toContain(SESSION_JWT);
    });

    it('prints the details of a VALIDATION_ERROR', async () => {
      const refused = await admin(['invites', 'create', 'lab', '--role', 'janitor']);

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stderr).toContain(
        '400 VALIDATION_ERROR: The request is not valid.\n  - role: is not a role\n',
      );
    });
  });

  describe('lobby list, admit and deny, with a guest waiting in request-token', () => {
    it('lists the guest request-token keeps waiting, admits it, and request-token prints the token', async () => {
      const code = server.addInvite('lab', { waiting_room: true, name: 'Ada' });
      const waiting = guest(['--invite', code]);
      const entry = await server.nextHeldPoll();

      const listed = await admin(['lobby', 'list', 'lab']);
      expect(listed.exitCode).toBe(ExitCode.Success);
      expect(listed.stdout.split('\n')).toEqual([
        expect.stringMatching(/^ID +IDENTITY +NAME +ROLE +SINCE +EXPIRES AT$/),
        expect.stringMatching(
          new RegExp(
            `^${entry.id} +${entry.identity} +Ada +participant +2030-01-02T03:04:05.000Z +2030-01-02T03:14:05.000Z$`,
          ),
        ),
        '',
      ]);

      const admitted = await admin(['lobby', 'admit', 'lab', entry.id]);
      expect(admitted.exitCode).toBe(ExitCode.Success);
      expect(admitted.stdout).toBe(
        [
          `admitted:      ${entry.identity}`,
          'name:          Ada',
          'role:          participant',
          `entry:         ${entry.id}`,
          'waiting since: 2030-01-02T03:04:05.000Z',
          'decided at:    2030-01-02T03:04:05.000Z',
          'decided by:    api-key:ops',
          '',
        ].join('\n'),
      );

      const result = await waiting;
      expect(result.exitCode).toBe(ExitCode.Success);
      expect(result.stderr).toMatch(/^waiting room: waiting for a moderator to admit you/);
      expect(result.stdout).toContain(`token:      ${TOKEN}\n`);
      expect((await admin(['lobby', 'list', 'lab'])).stdout).toBe('no one is waiting\n');
    });

    it('denies the guest, and request-token exits 1 saying so', async () => {
      const code = server.addInvite('lab', { waiting_room: true });
      const waiting = guest(['--invite', code]);
      const entry = await server.nextHeldPoll();

      const denied = await admin(['--json', 'lobby', 'deny', 'lab', entry.id]);
      expect(denied.exitCode).toBe(ExitCode.Success);
      expect(JSON.parse(denied.stdout)).toMatchObject({ id: entry.id, status: 'denied' });

      const result = await waiting;
      expect(result.exitCode).toBe(ExitCode.RequestFailed);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('denied entry');
    });

    it.each<[string, (room: string, id: string) => string[]]>([
      ['an unknown id', (room) => ['lobby', 'admit', room, 'nobody']],
      ["another room's entry", (_room, id) => ['lobby', 'admit', 'elsewhere', id]],
      ['an entry decided already', (room, id) => ['lobby', 'deny', room, id]],
    ])('explains LOBBY_ENTRY_NOT_FOUND for %s', async (_case, argsOf) => {
      const code = server.addInvite('lab', { waiting_room: true });
      const waiting = guest(['--invite', code]);
      const entry = await server.nextHeldPoll();
      await admin(['lobby', 'admit', 'lab', entry.id]);
      await waiting;

      const refused = await admin(argsOf('lab', entry.id));
      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(
        / with 404 LOBBY_ENTRY_NOT_FOUND: No such waiting room entry\.\n/,
      );
      expect(refused.stderr).toContain(
        "no one with this id is waiting in this room's waiting room: the guest may have been admitted or denied already",
      );
    });

    it('says no one is waiting in an empty waiting room', async () => {
      expect((await admin(['lobby', 'list', 'lab'])).stdout).toBe('no one is waiting\n');
    });
  });

  describe('answers that are not the ones asked for', () => {
    it('refuses a deny answered "admitted", as UNEXPECTED_RESPONSE', async () => {
      server.override = (_request, response) => {
        answerJson(response, 200, {
          id: 'e-1',
          status: 'admitted',
          identity: 'ada',
          name: null,
          role: 'participant',
          since: '2030-01-02T03:04:05.000Z',
          decided_at: '2030-01-02T03:04:05.000Z',
          decided_by: 'api-key:ops',
        });
        return true;
      };
      const refused = await admin(['lobby', 'deny', 'lab', 'e-1']);

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('200 UNEXPECTED_RESPONSE');
      expect(refused.stderr).toContain('without the guest denied');
    });

    it.each<[string, string[], unknown, string]>([
      [
        'an invite without a code',
        ['invites', 'create', 'lab'],
        { id: 'i-1' },
        'without an invite',
      ],
      ['garbage', ['invites', 'list', 'lab'], 'garbage', 'without a list of invites'],
      ['a ban list', ['lobby', 'list', 'lab'], { bans: [] }, 'without a waiting room'],
    ])('refuses %s, as UNEXPECTED_RESPONSE', async (_case, args, body, message) => {
      server.override = (_request, response) => {
        if (typeof body === 'string') response.writeHead(200).end(body);
        else answerJson(response, 200, body);
        return true;
      };
      const refused = await admin(args);

      expect(refused.exitCode).toBe(ExitCode.RequestFailed);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('UNEXPECTED_RESPONSE');
      expect(refused.stderr).toContain(message);
    });

    it('says a server without these routes predates invites', async () => {
      server.override = (_request, response) => {
        answerJson(response, 404, { error: { code: 'NOT_FOUND', message: 'No such route.' } });
        return true;
      };

      for (const args of [
        ['invites', 'list', 'lab'],
        ['lobby', 'admit', 'lab', 'e-1'],
      ]) {
        const refused = await admin(args);
        expect(refused.exitCode).toBe(ExitCode.RequestFailed);
        expect(refused.stderr).toContain('this token server has no invites or waiting room');
      }
    });

    it('prints what a hostile server sends inert, in the tables and the code', async () => {
      const hostile = Object.values(HOSTILE_TEXT).join('');
      server.override = (request, response) => {
        const invite = {
          id: hostile,
          room: hostile,
          role: hostile,
          max_uses: 1,
          uses: 0,
          expires_at: hostile,
          identity: hostile,
          name: hostile,
          waiting_room: true,
          created_at: hostile,
          created_by: hostile,
        };
        if (request.method === 'POST')
          answerJson(response, 201, { ...invite, code: hostile, url: hostile });
        else if (request.path.startsWith('/invites'))
          answerJson(response, 200, { invites: [invite] });
        else answerJson(response, 200, { waiting: [{ ...invite, since: hostile }] });
        return true;
      };
      for (const args of [
        ['invites', 'create', 'lab'],
        ['invites', 'list', 'lab'],
        ['lobby', 'list', 'lab'],
        ['--json', 'lobby', 'list', 'lab'],
      ]) {
        const result = await admin(args);
        expect(result.exitCode).toBe(ExitCode.Success);
        expectInert(result.stdout);
        expect(result.stdout).toContain('\\u001b');
      }
    });
  });
});
