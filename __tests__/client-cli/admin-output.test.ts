// What token-admin prints for invites and the waiting room: the new invite's code first and
// apart, the tables, one decision, and every server-supplied string shown inert. The bans,
// rooms and audit trail are printed in admin-program*.test.ts, end to end.
import type {
  CreatedInvite,
  LobbyDecisionView,
  LobbyEntryView,
} from '../../client-cli/src/admin-responses';
import {
  formatCreatedInvite,
  formatInviteList,
  formatLobby,
  formatLobbyDecision,
} from '../../client-cli/src/admin-output';
import { expectInert, HOSTILE_TEXT } from '../support/hostile-server';

const INVITE: CreatedInvite = {
  id: 'i-1',
  code: 'kfmw-ptra-hxce-bnqd',
  room: 'lab',
  role: 'viewer',
  max_uses: 10,
  uses: 3,
  expires_at: '2030-01-03T03:04:05.000Z',
  identity: 'ada',
  name: 'Ada Lovelace',
  waiting_room: true,
  created_at: '2030-01-02T03:04:05.000Z',
  created_by: 'login:grace',
};
const ENTRY: LobbyEntryView = {
  id: 'e-1',
  identity: 'guest-3f9a',
  name: null,
  role: 'participant',
  since: '2030-01-02T03:04:05.000Z',
  expires_at: '2030-01-02T03:14:05.000Z',
};
const DECISION: LobbyDecisionView = {
  id: 'e-1',
  status: 'denied',
  identity: 'guest-3f9a',
  name: null,
  role: 'participant',
  since: '2030-01-02T03:04:05.000Z',
  decided_at: '2030-01-02T03:05:05.000Z',
  decided_by: 'api-key:ops',
};
const HOSTILE = Object.values(HOSTILE_TEXT).join('');

describe('formatCreatedInvite', () => {
  it('prints the code and the url first, then that it is shown once, then the invite', () => {
    expect(formatCreatedInvite({ ...INVITE, url: 'https://app.example/join?code=x' })).toBe(
      [
        'code: kfmw-ptra-hxce-bnqd',
        'url:  https://app.example/join?code=x',
        'The code is shown only this once: pass it on now (request-token --invite <code>).',
        '',
        'invite:       i-1',
        'room:         lab',
        'role:         viewer',
        'uses:         3 of 10',
        'expires at:   2030-01-03T03:04:05.000Z',
        'identity:     ada',
        'name:         Ada Lovelace',
        'waiting room: yes: a moderator admits each guest',
        'created at:   2030-01-02T03:04:05.000Z',
        'created by:   login:grace',
        '',
      ].join('\n'),
    );
  });

  it('prints no url line without a url', () => {
    expect(formatCreatedInvite(INVITE)).not.toContain('url:');
  });

  it('shows a hostile code inert, rather than a forged line', () => {
    const shown = formatCreatedInvite({ ...INVITE, code: HOSTILE, url: HOSTILE, room: HOSTILE });

    expectInert(shown);
    expect(shown.split('\n')[0]).toMatch(/^code: "/);
    expect(shown).not.toContain('\ntoken:');
  });
});

describe('formatInviteList', () => {
  it('prints one row per invite, uses over max, without codes', () => {
    const shown = formatInviteList([
      INVITE,
      { ...INVITE, id: 'i-22', identity: null, waiting_room: false },
    ]);

    expect(shown).toBe(
      [
        'ID    ROLE    USES  EXPIRES AT                WAITING ROOM  IDENTITY',
        'i-1   viewer  3/10  2030-01-03T03:04:05.000Z  yes           ada',
        'i-22  viewer  3/10  2030-01-03T03:04:05.000Z  no            (guest-<random>)',
        '',
      ].join('\n'),
    );
    expect(shown).not.toContain(INVITE.code);
  });

  it('says there are none', () => {
    expect(formatInviteList([])).toBe('no invites\n');
  });
});

describe('formatLobby', () => {
  it('prints the waiting guests, a name left blank when none', () => {
    expect(formatLobby([ENTRY, { ...ENTRY, id: 'e-2', name: 'Ada' }])).toBe(
      [
        'ID   IDENTITY    NAME  ROLE         SINCE                     EXPIRES AT',
        'e-1  guest-3f9a        participant  2030-01-02T03:04:05.000Z  2030-01-02T03:14:05.000Z',
        'e-2  guest-3f9a  Ada   participant  2030-01-02T03:04:05.000Z  2030-01-02T03:14:05.000Z',
        '',
      ].join('\n'),
    );
  });

  it('says no one is waiting', () => {
    expect(formatLobby([])).toBe('no one is waiting\n');
  });

  it('shows hostile fields inert', () => {
    expectInert(formatLobby([{ ...ENTRY, identity: HOSTILE, name: HOSTILE, id: HOSTILE }]));
  });
});

describe('formatLobbyDecision', () => {
  it('leads with the decision and the identity', () => {
    expect(formatLobbyDecision(DECISION)).toBe(
      [
        'denied:        guest-3f9a',
        'name:          (none)',
        'role:          participant',
        'entry:         e-1',
        'waiting since: 2030-01-02T03:04:05.000Z',
        'decided at:    2030-01-02T03:05:05.000Z',
        'decided by:    api-key:ops',
        '',
      ].join('\n'),
    );
  });
});
