import { HttpError } from '../../../server/src/errors';
import { requireModerator, moderatorOf } from '../../../server/src/moderation/moderator';
import { testConfig } from '../../support/fixtures';

const config = testConfig();

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof HttpError ? error.code : String(error);
  }
}

describe('moderatorOf', () => {
  it('makes an API-key caller a moderator of every room', () => {
    expect(moderatorOf({ caller: { kind: 'api-key', keyId: 'key-2' } }, config)).toEqual({
      scope: 'every-room',
      label: 'api-key:key-2',
    });
  });

  it('makes a login a moderator only with a role whose grant has roomAdmin', () => {
    const login = (roles: string[]) => ({
      caller: { kind: 'jwt' as const, identity: 'ada', name: undefined, email: undefined, roles },
    });
    expect(moderatorOf(login(['host']), config)).toEqual({ scope: 'every-room', label: 'jwt:ada' });
    expect(moderatorOf(login(['participant', 'viewer']), config)).toBeUndefined();
    expect(moderatorOf(login(['no-such-role']), config)).toBeUndefined();
  });

  it('makes nobody of an anonymous caller', () => {
    expect(moderatorOf({ caller: { kind: 'anonymous' } }, config)).toBeUndefined();
  });
});

describe('requireModerator', () => {
  const host = { moderator: { scope: 'one-room' as const, room: 'lab', label: 'livekit:h' } };

  it('lets a host token moderate its own room', () => {
    expect(requireModerator(host, config, 'lab')).toEqual(host.moderator);
  });

  it.each([['kitchen'], [null], [undefined]])(
    'refuses a host token room %s with NOT_A_MODERATOR',
    (room) => {
      expect(codeOf(() => requireModerator(host, config, room))).toBe('NOT_A_MODERATOR');
    },
  );

  it('refuses a caller who moderates nothing with NOT_A_MODERATOR', () => {
    expect(codeOf(() => requireModerator({ caller: { kind: 'anonymous' } }, config, 'lab'))).toBe(
      'NOT_A_MODERATOR',
    );
  });
});
