// What request-token says on stderr when an invite or the waiting room refuses it, or a wait
// ends without a token: one line on what to do after the server's own, through explainFailure
// as the program calls it. The refusals as a real server answers them are in
// invite-client.test.ts.
import { LobbyClosedError, TokenServerError } from '../../client-cli/src/client-errors';
import { explainFailure } from '../../client-cli/src/explain';
import { TOKEN_ADMIN_WORDING } from '../../client-cli/src/admin-explain';

/** A refusal of `POST /token` (or `path`), sent with an invite code. */
function refusal(status: number, code: string, path = '/token'): TokenServerError {
  return new TokenServerError(status, code, `The server says ${code}.`, {
    credentialsSent: path === '/token' ? 'invite' : 'poll-token',
    path,
    serverUrl: 'http://127.0.0.1:8002',
  });
}

describe('explainFailure for a guest with an invite', () => {
  it.each<[number, string, string, string]>([
    [404, 'INVITE_NOT_FOUND', '/token', 'no invite has this code: it is mistyped, or was revoked'],
    [410, 'INVITE_EXPIRED', '/token', 'the invite has expired: ask whoever sent it for a new one'],
    [410, 'INVITE_USED_UP', '/token', 'the invite was used as many times as it allows'],
    [403, 'INVITE_NOT_FOR_ROOM', '/token', 'the invite is for another room than --room'],
    [
      404,
      'LOBBY_ENTRY_NOT_FOUND',
      '/lobby/e-1',
      'the token server no longer knows this place in its waiting room',
    ],
    [
      401,
      'INVALID_POLL_TOKEN',
      '/lobby/e-1',
      'the token server refused the poll token it gave for this place',
    ],
    [401, 'AUTHENTICATION_REQUIRED', '/token', 'the token server did not take the invite code'],
  ])('explains %d %s in one line', (status, code, path, explanation) => {
    const lines = explainFailure(refusal(status, code, path))?.split('\n');

    expect(lines).toHaveLength(3);
    const answered = path === '/token' ? 'answered' : `answered ${path} with`;
    expect(lines?.[0]).toBe(
      `error: the token server ${answered} ${status} ${code}: The server says ${code}.`,
    );
    expect(lines?.[1]).toContain(explanation);
  });

  it('leaves a 401 without an invite to the lines about credentials', () => {
    const error = new TokenServerError(401, 'AUTHENTICATION_REQUIRED', 'Credentials, please.');

    expect(explainFailure(error)).toContain('pass --api-key (or set TOKEN_SERVER_API_KEY)');
  });

  it("gives token-admin none of the guest's lines", () => {
    expect(explainFailure(refusal(410, 'INVITE_EXPIRED'), TOKEN_ADMIN_WORDING)).toBe(
      'error: the token server answered 410 INVITE_EXPIRED: The server says INVITE_EXPIRED.\n',
    );
  });
});

describe('explainFailure for a wait in the waiting room that ended without a token', () => {
  const ended = (ending: 'denied' | 'expired' | 'collected', lobbyId = 'e-1') =>
    explainFailure(
      new LobbyClosedError('http://127.0.0.1:8002', lobbyId, ending, '2030-01-02T03:14:05.000Z'),
    );

  it.each<['denied' | 'expired' | 'collected', string]>([
    [
      'denied',
      'error: a moderator of the token server at http://127.0.0.1:8002 denied entry (waiting room entry e-1); no token was issued.\n',
    ],
    [
      'expired',
      'error: nobody admitted you before the wait ended at 2030-01-02T03:14:05.000Z (waiting room entry e-1); no token was issued.\n' +
        'Run request-token --invite again to wait anew, if the invite has uses left, and ask a moderator to look at the waiting room.\n',
    ],
    [
      'collected',
      'error: the token server at http://127.0.0.1:8002 says you were admitted (waiting room entry e-1), but the token was already collected: it hands it out once. Run request-token --invite again, if the invite has uses left.\n',
    ],
  ])('says so when %s', (ending, text) => {
    expect(ended(ending)).toBe(text);
  });

  it("shows the server's entry id inert", () => {
    expect(ended('denied', 'e-1\u001b[2J\r\nerror: none')).toContain(
      '(waiting room entry "e-1\\u001b[2J\\r\\nerror: none")',
    );
  });
});
