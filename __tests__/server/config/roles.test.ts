import {
  ConfigError,
  configWarnings,
  describeConfig,
  loadConfig,
} from '../../../server/src/config';
import { BUILT_IN_ROLES } from '../../../server/src/roles';
import { LIVEKIT_CREDENTIALS as credentials, problemsOf, secretLike } from '../../support/config';

describe('loadConfig for roles', () => {
  const rolesPath = '/etc/token-server/roles.json';
  const goodRolesFile = JSON.stringify({
    moderator: { canPublish: true, canSubscribe: true, roomAdmin: true },
    presenter: { canPublishSources: ['camera', 'screen_share'], canSubscribe: true },
  });

  /** A file reader serving the given files by path, failing like Node for any other path. */
  function filesReader(files: Record<string, string>): (path: string) => string {
    return (path) => {
      const contents = files[path];
      if (contents === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
          code: 'ENOENT',
        });
      }
      return contents;
    };
  }

  function problemsWithFiles(env: Record<string, string>, files: Record<string, string>): string[] {
    try {
      loadConfig(env, filesReader(files));
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('loadConfig accepted the environment');
  }

  describe('without any of the variables', () => {
    const config = loadConfig(credentials);

    it('knows the built-in roles, participant and viewer public, participant the default', () => {
      expect([...config.roles.keys()].sort()).toEqual(['host', 'participant', 'viewer']);
      expect(config.publicRoles).toEqual(new Set(['participant', 'viewer']));
      expect(config.defaultRole).toBe('participant');
    });
  });

  describe('with ROLES_FILE', () => {
    it('reads the file named and adds its roles to the built-in ones', () => {
      const read: string[] = [];
      const config = loadConfig({ ...credentials, ROLES_FILE: rolesPath }, (path) => {
        read.push(path);
        return goodRolesFile;
      });
      expect(read).toEqual([rolesPath]);
      expect(Object.fromEntries(config.roles)).toEqual({
        participant: BUILT_IN_ROLES.get('participant'),
        viewer: BUILT_IN_ROLES.get('viewer'),
        host: BUILT_IN_ROLES.get('host'),
        moderator: { canPublish: true, canSubscribe: true, roomAdmin: true },
        presenter: { canPublishSources: ['camera', 'screen_share'], canSubscribe: true },
      });
    });

    it('keeps the public roles and the default role as they were', () => {
      const config = loadConfig(
        { ...credentials, ROLES_FILE: rolesPath },
        filesReader({ [rolesPath]: goodRolesFile }),
      );
      expect(config.publicRoles).toEqual(new Set(['participant', 'viewer']));
      expect(config.defaultRole).toBe('participant');
    });

    it('takes a file role in PUBLIC_ROLES and as DEFAULT_ROLE', () => {
      const config = loadConfig(
        {
          ...credentials,
          ROLES_FILE: rolesPath,
          PUBLIC_ROLES: 'presenter,viewer',
          DEFAULT_ROLE: 'presenter',
        },
        filesReader({ [rolesPath]: goodRolesFile }),
      );
      expect(config.publicRoles).toEqual(new Set(['presenter', 'viewer']));
      expect(config.defaultRole).toBe('presenter');
    });

    it('refuses to start when the file cannot be read, naming it and why', () => {
      expect(problemsWithFiles({ ...credentials, ROLES_FILE: '/missing/roles.json' }, {})).toEqual([
        'ROLES_FILE names a file that cannot be read (/missing/roles.json: ENOENT)',
      ]);
    });

    it('refuses to start on a grant field LiveKit does not know, naming the role and field', () => {
      const files = { [rolesPath]: '{"presenter": {"canPublsh": true, "canSubscribe": true}}' };
      expect(() =>
        loadConfig({ ...credentials, ROLES_FILE: rolesPath }, filesReader(files)),
      ).toThrow(ConfigError);
      expect(problemsWithFiles({ ...credentials, ROLES_FILE: rolesPath }, files)).toEqual([
        'ROLES_FILE: role "presenter" has "canPublsh", which is not a LiveKit video grant',
      ]);
    });

    it('refuses to start on a file that is not JSON', () => {
      expect(
        problemsWithFiles({ ...credentials, ROLES_FILE: rolesPath }, { [rolesPath]: 'moderator' }),
      ).toEqual([expect.stringMatching(/^ROLES_FILE is not valid JSON/)]);
    });

    describe('holding a secret instead of roles, as when pointed at the wrong file', () => {
      const secret = `LKSECRET_${secretLike('roles-file')}`;

      /** Every run of 6 characters of the secret: none may appear in a problem. */
      function partsOf(value: string): string[] {
        return Array.from({ length: value.length - 5 }, (_, start) =>
          value.slice(start, start + 6),
        );
      }

      function expectNoPartOfTheSecret(problems: string[]): void {
        const text = problems.join('\n');
        expect(partsOf(secret).filter((part) => text.includes(part))).toEqual([]);
      }

      it.each([
        ['the secret alone', `${secret}\n`],
        ["LiveKit's key: secret form", `APIkey: ${secret}\n`],
        ['a value that is not JSON', `{"moderator": {"canPublish": ${secret}}}`],
        ['an unterminated string', `{"${secret}`],
        ['a bad escape', `{"moderator": "\\${secret}"}`],
        ['a control character', `{"${secret}\u0001": {}}`],
      ])('reports where the JSON breaks, and none of the contents: %s', (_label, text) => {
        const problems = problemsWithFiles(
          { ...credentials, ROLES_FILE: rolesPath },
          { [rolesPath]: text },
        );
        expect(problems).toEqual([
          expect.stringMatching(
            /^ROLES_FILE is not valid JSON \((it ends too soon, )?at line \d+, column \d+\)$/,
          ),
        ]);
        expectNoPartOfTheSecret(problems);
      });

      it.each([
        ['an unusable role name', { [`${secret}.`]: {} }],
        ['a role name over 64 characters', { [`${secret}${secret}`]: {} }],
        ['a field that is not a grant', { moderator: { [secret]: true } }],
        ['a value of the wrong type', { moderator: { canPublish: secret } }],
        ['a list of the wrong sources', { moderator: { canPublishSources: [secret] } }],
        ['a room it must not set', { moderator: { room: secret } }],
        ['a role that is not an object', { moderator: secret }],
      ])('names the problem without the secret: %s', (_label, file) => {
        const problems = problemsWithFiles(
          { ...credentials, ROLES_FILE: rolesPath },
          { [rolesPath]: JSON.stringify(file) },
        );
        expect(problems).toHaveLength(1);
        expectNoPartOfTheSecret(problems);
      });
    });

    it("reports the file's problems together with those of other variables", () => {
      const problems = problemsWithFiles(
        {
          ...credentials,
          TOKEN_SERVER_PORT: 'x',
          ROLES_FILE: rolesPath,
          DEFAULT_ROLE: 'presenter',
        },
        { [rolesPath]: '{"presenter": {"room": "stage"}, "lurker": {"roomJoin": false}}' },
      );
      expect(problems).toEqual([
        'TOKEN_SERVER_PORT must be a whole number from 0 to 65535 (the value is not shown)',
        'ROLES_FILE: role "presenter" sets room, which each request chooses; leave it out',
        'ROLES_FILE: role "lurker": roomJoin must be true: every role joins its room',
        'DEFAULT_ROLE "presenter" is neither built in nor in ROLES_FILE',
      ]);
    });
  });

  describe('with PUBLIC_ROLES', () => {
    it('takes a comma list, trimmed', () => {
      const config = loadConfig({ ...credentials, PUBLIC_ROLES: ' viewer , host ,' });
      expect(config.publicRoles).toEqual(new Set(['viewer', 'host']));
    });

    it('refuses roles that are neither built in nor in ROLES_FILE, naming each', () => {
      expect(problemsOf({ ...credentials, PUBLIC_ROLES: 'viewer,moderator,Host' })).toEqual([
        'PUBLIC_ROLES names roles that are neither built in nor in ROLES_FILE: moderator, Host',
      ]);
    });

    it('takes none as no public role at all', () => {
      const config = loadConfig({ ...credentials, PUBLIC_ROLES: 'none' });
      expect(config.publicRoles).toEqual(new Set());
      expect(configWarnings(config).join('\n')).toMatch(
        /DEFAULT_ROLE participant is not in PUBLIC_ROLES/,
      );
    });
  });

  describe('with DEFAULT_ROLE', () => {
    it('takes a built-in role', () => {
      expect(loadConfig({ ...credentials, DEFAULT_ROLE: 'viewer' }).defaultRole).toBe('viewer');
    });

    it('refuses a role that is neither built in nor in ROLES_FILE', () => {
      expect(problemsOf({ ...credentials, DEFAULT_ROLE: 'moderator' })).toEqual([
        'DEFAULT_ROLE "moderator" is neither built in nor in ROLES_FILE',
      ]);
    });
  });

  describe('configWarnings', () => {
    const apiKeyEnv = {
      ...credentials,
      AUTH_MODE: 'api-key',
      TOKEN_SERVER_API_KEYS: 'caller-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    };

    it.each([
      ['none', { AUTH_MODE: 'none' }],
      [
        'jwt',
        {
          AUTH_MODE: 'jwt',
          AUTH_JWT_SECRET: 'j'.repeat(40),
          AUTH_ISSUER: 'issuer',
          AUTH_AUDIENCE: 'audience',
        },
      ],
    ])('warns with AUTH_MODE=%s when DEFAULT_ROLE is not public', (_mode, authEnv) => {
      const config = loadConfig({
        ...credentials,
        ...authEnv,
        LIVEKIT_URL: 'wss://rtc.example.com',
        DEFAULT_ROLE: 'host',
      });
      expect(configWarnings(config)).toContain(
        'DEFAULT_ROLE host is not in PUBLIC_ROLES: callers who name no role get 403 unless their login grants it.',
      );
    });

    it('does not warn about a DEFAULT_ROLE that is public', () => {
      const config = loadConfig({ ...credentials, DEFAULT_ROLE: 'viewer' });
      expect(configWarnings(config).join('\n')).not.toMatch(/DEFAULT_ROLE/);
    });

    it('does not warn about a DEFAULT_ROLE that is not public in api-key mode: backends may ask for any role', () => {
      const config = loadConfig({
        ...apiKeyEnv,
        LIVEKIT_URL: 'wss://rtc.example.com',
        DEFAULT_ROLE: 'host',
      });
      expect(configWarnings(config)).toEqual([]);
    });
  });

  describe('describeConfig', () => {
    it('shows the roles, the public ones, the default one and the agents', () => {
      const config = loadConfig(
        {
          ...credentials,
          ROLES_FILE: rolesPath,
          PUBLIC_ROLES: 'viewer,presenter',
          DEFAULT_ROLE: 'viewer',
          AGENT_NAMES: 'support-agent,tutor',
        },
        filesReader({ [rolesPath]: goodRolesFile }),
      );
      expect(describeConfig(config)).toMatchObject({
        roles: 'participant,viewer,host,moderator,presenter',
        public_roles: 'viewer,presenter',
        default_role: 'viewer',
        agent_names: 'support-agent,tutor',
      });
    });

    it('shows that any agent is allowed without AGENT_NAMES', () => {
      expect(describeConfig(loadConfig(credentials))).toMatchObject({
        roles: 'participant,viewer,host',
        public_roles: 'participant,viewer',
        default_role: 'participant',
        agent_names: '(any)',
      });
    });
  });
});
