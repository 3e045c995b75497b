// request-token --invite in-process with the real fetch, against a fake of the invite and
// waiting room routes on a real loopback port: a token at once, a wait that a moderator ends
// (the second poll sees the decision), each refusal and the line that explains it, and servers
// that answer what no token server would. Never a timer: the fake says what each poll sees.
import { MAX_LOBBY_POLLS } from '../../client-cli/src/invite-client';
import { ExitCode } from '../../client-cli/src/program';
import { TOKEN } from '../support/fake-fetch';
import {
  startFakeInviteServer,
  type FakeInviteServer,
  type FakeLobbyEntry,
} from '../support/fake-invite-server';
import { answerJson, expectInert, HOSTILE_TEXT, runCliOverHttp } from '../support/hostile-server';

let server: FakeInviteServer;

beforeEach(async () => {
  server = await startFakeInviteServer();
});

afterEach(async () => {
  await server.close();
});

/** request-token against the fake. */
function guest(args: string[]) {
  return runCliOverHttp(['--server', server.url, ...args]);
}

/** The one guest waiting in the fake's waiting room. */
function onlyEntry(): FakeLobbyEntry {
  const [entry, ...others] = server.lobby.values();
  if (entry === undefined || others.length > 0) throw new Error('expected one waiting guest');
  return entry;
}

/** Checks that no output shows the invite code, in any spelling, or the entry's poll token. */
function expectNoSecrets(output: string, code: string): void {
  expect(output).not.toContain(code);
  expect(output).not.toContain(code.replace(/-/g, ''));
  for (const entry of server.lobby.values()) expect(output).not.toContain(entry.pollToken);
}

/** A poll script: `waiting` at the first poll, then `status`. */
const secondPollSees =
  (status: 'admitted' | 'denied' | 'expired') => (_entry: FakeLobbyEntry, poll: number) =>
    poll === 1 ? 'waiting' : status;

describe('request-token --invite', () => {
  describe('for an invite without a waiting room', () => {
    it('prints the token at once, as the invite grants it', async () => {
      const code = server.addInvite('lab', { role: 'viewer', identity: 'ada' });
      const result = await guest(['--invite', code]);

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(ExitCode.Success);
      expect(result.stdout).toMatch(
        /^room: +lab\nidentity: +ada\nrole: +viewer\nexpires at: .*\nserver URL: +wss:\/\/lk\.test\ntoken: +\S+\n$/,
      );
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.headers['x-invite-code']).toBe(code);
      expectNoSecrets(result.stdout, code);
    });

    it('takes the code in any case, with spaces for dashes: the server drops all but letters', async () => {
      const code = server.addInvite('lab');
      const result = await guest(['--invite', code.toUpperCase().replace(/-/g, ' '), '--quiet']);

      expect(result.exitCode).toBe(ExitCode.Success);
      expect(result.stdout).toBe(`${TOKEN}\n`);
    });
  });

  describe('for an invite to a waiting room', () => {
    it('says it waits, polls until the second poll sees admitted, then prints the token', async () => {
      const code = server.addInvite('lab', { waiting_room: true, name: 'Ada' });
      server.onPoll = secondPollSees('admitted');
      const result = await guest(['--invite', code]);

      expect(result.exitCode).toBe(ExitCode.Success);
      const entry = onlyEntry();
      expect(result.stderr).toBe(
        `waiting room: waiting for a moderator to admit you (entry ${entry.id}; the wait ends at 2030-01-02T03:14:05.000Z)\n`,
      );
      expect(result.stdout).toMatch(
        new RegExp(`^room: +lab\nidentity: +${entry.identity}\nrole: +participant\n`),
      );
      expect(result.stdout).toContain(`token:      ${TOKEN}\n`);
      expectNoSecrets(result.stdout + result.stderr, code);
    });

    it('polls GET /lobby/{id}?wait=20 with the poll token alone, never the code', async () => {
      const code = server.addInvite('lab', { waiting_room: true });
      server.onPoll = secondPollSees('admitted');
      await guest(['--invite', code]);

      const entry = onlyEntry();
      const [redeem, ...polls] = server.requests;
      expect(redeem?.method).toBe('POST');
      expect(polls).toHaveLength(2);
      for (const poll of polls) {
        expect(poll.method).toBe('GET');
        expect(poll.path).toBe(`/lobby/${entry.id}?wait=20`);
        expect(poll.headers.authorization).toBe(`Bearer ${entry.pollToken}`);
        expect(poll.headers['x-invite-code']).toBeUndefined();
        expect(poll.body).toBe('');
      }
    });

    it("prints with --json the waiting room's answer that carried the token, as received", async () => {
      const code = server.addInvite('lab', { waiting_room: true });
      server.onPoll = secondPollSees('admitted');
      const result = await guest(['--invite', code, '--json']);

      expect(result.exitCode).toBe(ExitCode.Success);
      expect(JSON.parse(result.stdout)).toMatchObject({
        lobby: { id: onlyEntry().id, status: 'admitted' },
        connection_details: {
          server_url: 'wss://lk.test',
          participant_token: TOKEN,
          room_name: 'lab',
          role: 'participant',
        },
      });
    });

    it('prints the LiveKit URL and the token with --env', async () => {
      const code = server.addInvite('lab', { waiting_room: true });
      server.onPoll = secondPollSees('admitted');
      const result = await guest(['--invite', code, '--env']);

      expect(result.exitCode).toBe(ExitCode.Success);
      expect(result.stdout).toBe(`LIVEKIT_URL=wss://lk.test\nLIVEKIT_TOKEN=${TOKEN}\n`);
    });

    it.each<[string, 'denied' | 'expired', RegExp]>([
      [
        'denied',
        'denied',
        /^error: a moderator of the token server at \S+ denied entry \(waiting room entry [\w-]+\); no token was issued\.\n$/,
      ],
      [
        'expired',
        'expired',
        /^error: nobody admitted you before the wait ended at 2030-01-02T03:14:05\.000Z \(waiting room entry [\w-]+\); no token was issued\.\nRun request-token --invite again to wait anew/,
      ],
    ])('exits 1 when the wait ends %s, with nothing on stdout', async (_case, status, message) => {
      const code = server.addInvite('lab', { waiting_room: true });
      server.onPoll = secondPollSees(status);
      const result = await guest(['--invite', code]);

      expect(result.exitCode).toBe(ExitCode.RequestFailed);
      expect(result.stdout).toBe('');
      const [waiting, ...rest] = result.stderr.split(/(?<=\n)/);
      expect(waiting).toMatch(/^waiting room: /);
      expect(rest.join('')).toMatch(message);
      expectNoSecrets(result.stderr, code);
    });

    it('exits 1 when another poll collected the token already', async () => {
      const code = server.addInvite('lab', { waiting_room: true });
      server.onPoll = (entry, poll) => {
        if (poll === 1) return 'waiting';
        entry.collected = true;
        return 'admitted';
      };
      const result = await guest(['--invite', code]);

      expect(result.exitCode).toBe(ExitCode.RequestFailed);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('says you were admitted');
      expect(result.stderr).toContain('the token was already collected');
    });

    it('explains LOBBY_ENTRY_NOT_FOUND when the server forgot the entry between polls', async () => {
      const code = server.addInvite('lab', { waiting_room: true });
      server.onPoll = (entry) => {
        server.lobby.delete(entry.id);
        return 'waiting';
      };
      const result = await guest(['--invite', code]);

      expect(result.exitCode).toBe(ExitCode.RequestFailed);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /answered \/lobby\/[\w-]+ with 404 LOBBY_ENTRY_NOT_FOUND: No such waiting room entry\.\nthe token server no longer knows this place in its waiting room: run request-token --invite again/,
      );
    });

    it('explains INVALID_POLL_TOKEN, not as refused credentials, without the token', async () => {
      const code = server.addInvite('lab', { waiting_room: true });
      const pollTokens: string[] = [];
      server.onPoll = (entry) => {
        pollTokens.push(entry.pollToken);
        entry.pollToken = 'another-poll-token-0123456789abcdef';
        return 'waiting';
      };
      const result = await guest(['--invite', code]);

      expect(result.exitCode).toBe(ExitCode.RequestFailed);
      expect(result.stderr).toContain('401 INVALID_POLL_TOKEN: The poll token is not valid.\n');
      expect(result.stderr).toContain('the token server refused the poll token it gave');
      expect(result.stderr).not.toContain('check the API key');
      for (const pollToken of pollTokens) expect(result.stderr).not.toContain(pollToken);
    });
  });

  describe('when the server refuses the invite', () => {
    it.each<[string, (fake: FakeInviteServer) => string, string[], string]>([
      [
        '404 INVITE_NOT_FOUND',
        () => 'zzzz-zzzz-zzzz-zzzz',
        [],
        'no invite has this code: it is mistyped, or was revoked',
      ],
      [
        '410 INVITE_EXPIRED',
        (fake) => {
          const code = fake.addInvite('lab');
          fake.nowMs += 86_400_000;
          return code;
        },
        [],
        'the invite has expired: ask whoever sent it for a new one',
      ],
      [
        '410 INVITE_USED_UP',
        (fake) => fake.addInvite('lab', { uses: 1 }),
        [],
        'the invite was used as many times as it allows',
      ],
      [
        '403 INVITE_NOT_FOR_ROOM',
        (fake) => fake.addInvite('lab'),
        ['--room', 'elsewhere'],
        'the invite is for another room than --room: leave out --room',
      ],
    ])('exits 1 with %s and what to do', async (refusal, inviteOf, args, explanation) => {
      const code = inviteOf(server);
      const result = await guest(['--invite', code, ...args]);

      expect(result.exitCode).toBe(ExitCode.RequestFailed);
      expect(result.stdout).toBe('');
      const lines = result.stderr.split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(new RegExp(`^error: the token server answered ${refusal}: `));
      expect(lines[1]).toContain(explanation);
      expectNoSecrets(result.stderr, code);
    });

    it('uses up an invite of one use: a second guest gets INVITE_USED_UP', async () => {
      const code = server.addInvite('lab');

      expect((await guest(['--invite', code])).exitCode).toBe(ExitCode.Success);
      expect((await guest(['--invite', code])).stderr).toContain('410 INVITE_USED_UP');
    });

    it('says a server that asks for credentials took no invite code', async () => {
      server.override = (_request, response) => {
        answerJson(response, 401, {
          error: { code: 'AUTHENTICATION_REQUIRED', message: 'This route needs credentials.' },
        });
        return true;
      };
      const result = await guest(['--invite', 'qzrt-wxnm-ybch-dkfs']);

      expect(result.exitCode).toBe(ExitCode.RequestFailed);
      expect(result.stderr).toContain('the token server did not take the invite code');
      expect(result.stderr).not.toContain('qzrt');
    });
  });

  describe('a server that answers what no token server would', () => {
    /** Answers POST /token with `redeemed`, and leaves the rest to the fake. */
    function answering(redeemed: (response: Parameters<typeof answerJson>[0]) => void) {
      server.override = (request, response) => {
        if (request.method !== 'POST') return false;
        redeemed(response);
        return true;
      };
    }

    it.each<[string, () => void, string]>([
      [
        'a 202 that is not JSON',
        () =>
          answering((response) =>
            response.writeHead(202, { 'content-type': 'text/html' }).end('<h1>Accepted</h1>'),
          ),
        '202 without a place in its waiting room',
      ],
      [
        'a 202 whose poll token could not travel as a header',
        () =>
          answering((response) =>
            answerJson(response, 202, {
              lobby: {
                id: 'entry-1',
                poll_token: 'secret\r\nX-Evil: 1 padding-padding',
                status: 'waiting',
                expires_at: '2030-01-02T03:14:05.000Z',
              },
            }),
          ),
        '202 without a place in its waiting room',
      ],
      [
        'a 200 without a token',
        () => answering((response) => answerJson(response, 200, { hello: 'world' })),
        '200 without a token',
      ],
    ])('refuses %s, as UNEXPECTED_RESPONSE, before any poll', async (_case, arrange, message) => {
      arrange();
      const result = await guest(['--invite', 'qzrt-wxnm-ybch-dkfs']);

      expect(result.exitCode).toBe(ExitCode.RequestFailed);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('UNEXPECTED_RESPONSE');
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain('secret');
      expect(server.requests).toHaveLength(1);
    });

    /** A waiting-room invite whose polls the test answers with `polled`. */
    function polledWith(polled: (entry: FakeLobbyEntry) => unknown): string {
      const code = server.addInvite('lab', { waiting_room: true });
      server.override = (request, response) => {
        if (request.method !== 'GET') return false;
        const body = polled(onlyEntry());
        if (typeof body === 'string') response.writeHead(200).end(body);
        else answerJson(response, 200, body);
        return true;
      };
      return code;
    }

    it.each<[string, (entry: FakeLobbyEntry) => unknown, string]>([
      ['garbage', () => 'garbage', 'without this place in its waiting room'],
      [
        'an unknown status',
        (entry) => ({ lobby: { id: entry.id, status: 'maybe', expires_at: entry.expires_at } }),
        'without this place in its waiting room',
      ],
      [
        "another entry's status",
        (entry) => ({
          lobby: { id: 'someone-else', status: 'admitted', expires_at: entry.expires_at },
        }),
        'without this place in its waiting room',
      ],
      [
        'admitted without connection details, nor collected',
        (entry) => ({ lobby: { id: entry.id, status: 'admitted', expires_at: entry.expires_at } }),
        '"admitted" without connection details',
      ],
      [
        'connection details whose token is not a JWT',
        (entry) => ({
          lobby: { id: entry.id, status: 'admitted', expires_at: entry.expires_at },
          connection_details: {
            server_url: 'wss://lk.test',
            participant_token: `${HOSTILE_TEXT['CR and LF that forge a line']}.a.b`,
            room_name: 'lab',
            participant_identity: 'ada',
            role: 'participant',
            expires_at: entry.expires_at,
          },
        }),
        'participant_token that is not a JWT (three base64url parts joined by dots), not shown',
      ],
    ])(
      'refuses a poll answered with %s, as UNEXPECTED_RESPONSE',
      async (_case, polled, message) => {
        const code = polledWith(polled);
        const result = await guest(['--invite', code]);

        expect(result.exitCode).toBe(ExitCode.RequestFailed);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain('200 UNEXPECTED_RESPONSE');
        expect(result.stderr).toContain(message);
        expect(result.stderr).not.toContain('forged');
        expectInert(result.stderr);
        expectNoSecrets(result.stderr, code);
      },
    );

    it('shows a hostile entry id and expiry inert in the waiting line', async () => {
      const hostile = Object.values(HOSTILE_TEXT).join('');
      server.override = (request, response) => {
        const lobby = { id: hostile, status: 'waiting', expires_at: hostile };
        if (request.method === 'POST') {
          answerJson(response, 202, {
            lobby: { ...lobby, poll_token: 'poll-token-0123456789abcdef' },
          });
        } else {
          answerJson(response, 200, { lobby: { ...lobby, status: 'denied' } });
        }
        return true;
      };
      const result = await guest(['--invite', 'qzrt-wxnm-ybch-dkfs']);

      expect(result.exitCode).toBe(ExitCode.RequestFailed);
      expect(result.stderr).toContain('\\u001b');
      expectInert(result.stderr);
      expect(result.stderr).not.toContain('poll-token-0123456789abcdef');
    });

    it(`stops after ${MAX_LOBBY_POLLS} polls answered "waiting" at once, saying why`, async () => {
      const code = polledWith((entry) => ({
        lobby: { id: entry.id, status: 'waiting', expires_at: entry.expires_at },
      }));
      const result = await guest(['--invite', code]);

      expect(result.exitCode).toBe(ExitCode.RequestFailed);
      expect(result.stdout).toBe('');
      expect(server.requests).toHaveLength(1 + MAX_LOBBY_POLLS);
      expect(result.stderr).toContain(
        `answered "waiting" ${MAX_LOBBY_POLLS} times without holding the polls for the 20 s asked; request-token stopped asking.`,
      );
    });
  });
});
