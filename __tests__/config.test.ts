import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import {
  CONFIG_VARIABLES,
  ConfigError,
  configWarnings,
  describeConfig,
  loadConfig,
  MAX_TOKEN_EXPIRY_HOURS,
} from '../server/src/config';
import { BUILT_IN_ROLES } from '../server/src/roles';

const credentials = {
  LIVEKIT_API_KEY: 'APIkey',
  LIVEKIT_API_SECRET: 'a-long-enough-secret-of-32-characters!!',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  describe('with an empty environment', () => {
    const config = loadConfig({});

    it('uses the documented defaults', () => {
      expect(config).toMatchObject({
        port: 8002,
        host: '0.0.0.0',
        corsOrigins: ['http://localhost:3000', 'http://localhost:3005'],
        tokenTtlSeconds: 24 * 3600,
        livekitUrl: undefined,
        production: false,
      });
    });

    it("falls back to LiveKit's development credentials and says so", () => {
      expect(config).toMatchObject({
        livekitApiKey: 'devkey',
        livekitApiSecret: 'secret',
        usingDevelopmentCredentials: true,
      });
      expect(configWarnings(config).join('\n')).toMatch(/development credentials devkey/);
    });
  });

  describe('with every variable set', () => {
    const config = loadConfig({
      ...credentials,
      TOKEN_SERVER_PORT: '9000',
      TOKEN_SERVER_HOST: '127.0.0.1',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      TOKEN_EXPIRY_HOURS: '1.5',
      LIVEKIT_URL: 'wss://example.livekit.cloud',
      NODE_ENV: 'production',
      AUTH_MODE: 'api-key',
      TOKEN_SERVER_API_KEYS: 'caller-key-cccccccccccccccccccccccccccccc',
      ROOM_NAME_PATTERN: 'class-[0-9]+',
      RATE_LIMIT_PER_MINUTE: '30',
      VALIDATE_RATE_LIMIT_PER_MINUTE: '90',
      TRUST_PROXY: '1',
      PUBLIC_ROLES: 'viewer',
      DEFAULT_ROLE: 'viewer',
      AGENT_NAMES: 'support-agent, tutor',
    });

    it('takes each of them', () => {
      expect(config).toEqual({
        port: 9000,
        host: '127.0.0.1',
        corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
        tokenTtlSeconds: 5400,
        livekitUrl: 'wss://example.livekit.cloud',
        livekitApiKey: 'APIkey',
        livekitApiSecret: credentials.LIVEKIT_API_SECRET,
        usingDevelopmentCredentials: false,
        production: true,
        livekitKeys: new Map([['APIkey', credentials.LIVEKIT_API_SECRET]]),
        auth: { mode: 'api-key', callerApiKeys: ['caller-key-cccccccccccccccccccccccccccccc'] },
        roomNamePattern: /^(?:class-[0-9]+)$/u,
        tokenRateLimitPerMinute: 30,
        validateRateLimitPerMinute: 90,
        trustProxy: 1,
        roles: BUILT_IN_ROLES,
        publicRoles: new Set(['viewer']),
        defaultRole: 'viewer',
        agentNames: new Set(['support-agent', 'tutor']),
      });
    });

    it('has no warnings', () => {
      expect(configWarnings(config)).toEqual([]);
    });

    it('describes itself without the secret', () => {
      const description = JSON.stringify(describeConfig(config));
      expect(description).toContain('APIkey');
      expect(description).not.toContain(credentials.LIVEKIT_API_SECRET);
    });
  });

  it('treats blank variables as unset', () => {
    expect(loadConfig({ TOKEN_SERVER_PORT: '  ', LIVEKIT_API_KEY: '' }).port).toBe(8002);
  });

  it('accepts port 0, which asks the OS for a free port', () => {
    expect(loadConfig({ TOKEN_SERVER_PORT: '0' }).port).toBe(0);
  });

  it('accepts "*" as CORS_ORIGINS and warns about it', () => {
    const config = loadConfig({ ...credentials, CORS_ORIGINS: '*' });
    expect(config.corsOrigins).toBe('*');
    expect(configWarnings(config).join('\n')).toMatch(/any web page/);
  });

  it('warns when the secret is shorter than 32 characters', () => {
    const config = loadConfig({ LIVEKIT_API_KEY: 'APIkey', LIVEKIT_API_SECRET: 'short' });
    expect(configWarnings(config).join('\n')).toMatch(/shorter than 32 characters/);
  });

  describe('with NODE_ENV=production', () => {
    it('refuses to start without credentials, naming both', () => {
      expect(problemsOf({ NODE_ENV: 'production', AUTH_MODE: 'none' })).toEqual([
        'LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set when NODE_ENV=production',
      ]);
    });

    it('names the one credential that is missing', () => {
      expect(
        problemsOf({ NODE_ENV: 'production', AUTH_MODE: 'none', LIVEKIT_API_KEY: 'APIkey' }),
      ).toEqual(['LIVEKIT_API_SECRET must be set when NODE_ENV=production']);
    });

    it('refuses the public development credentials', () => {
      const problems = problemsOf({
        NODE_ENV: 'production',
        LIVEKIT_API_KEY: 'devkey',
        LIVEKIT_API_SECRET: 'secret',
      });
      expect(problems.join('\n')).toMatch(/development pair/);
    });
  });

  it('refuses one credential without the other outside production', () => {
    expect(problemsOf({ LIVEKIT_API_SECRET: 'x'.repeat(40) })).toEqual([
      'LIVEKIT_API_KEY must be set too: set both LiveKit credentials, or neither',
    ]);
  });

  it.each([['abc'], ['-1'], ['65536'], ['80.5'], ['1e3']])(
    'refuses TOKEN_SERVER_PORT=%s',
    (port) => {
      expect(problemsOf({ TOKEN_SERVER_PORT: port }).join('\n')).toMatch(/^TOKEN_SERVER_PORT/);
    },
  );

  it.each([
    ['0'],
    ['-2'],
    ['soon'],
    ['Infinity'],
    [String(MAX_TOKEN_EXPIRY_HOURS + 1)],
    ['0.0001'],
  ])('refuses TOKEN_EXPIRY_HOURS=%s', (hours) => {
    expect(problemsOf({ TOKEN_EXPIRY_HOURS: hours }).join('\n')).toMatch(/^TOKEN_EXPIRY_HOURS/);
  });

  it.each([
    ['example.com'],
    ['https://app.example.com/'],
    ['https://app.example.com/path'],
    ['ftp://files.example.com'],
    ['http://localhost:3000,*'],
  ])('refuses CORS_ORIGINS=%s', (origins) => {
    expect(problemsOf({ CORS_ORIGINS: origins }).join('\n')).toMatch(/^CORS_ORIGINS/);
  });

  it.each([['livekit.example.com'], ['ftp://livekit.example.com']])(
    'refuses LIVEKIT_URL=%s',
    (url) => {
      expect(problemsOf({ LIVEKIT_URL: url }).join('\n')).toMatch(/^LIVEKIT_URL/);
    },
  );

  it('reports every bad variable at once', () => {
    const problems = problemsOf({
      TOKEN_SERVER_PORT: 'x',
      TOKEN_EXPIRY_HOURS: '0',
      CORS_ORIGINS: 'nope',
      NODE_ENV: 'production',
    });
    expect(problems.map((problem) => problem.split(' ')[0])).toEqual([
      'TOKEN_SERVER_PORT',
      'CORS_ORIGINS',
      'TOKEN_EXPIRY_HOURS',
      'LIVEKIT_API_KEY',
      'AUTH_MODE',
    ]);
  });
});

describe('loadConfig for caller authentication', () => {
  const apiKeyA = 'caller-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  const apiKeyB = 'caller-key-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

  it('defaults to AUTH_MODE=none and warns that /token is open', () => {
    const config = loadConfig(credentials);
    expect(config.auth).toEqual({ mode: 'none' });
    expect(configWarnings(config).join('\n')).toMatch(/AUTH_MODE is none/);
  });

  it('with NODE_ENV=production, refuses to start unless AUTH_MODE is set, even to none', () => {
    expect(problemsOf({ ...credentials, NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^AUTH_MODE must be set explicitly when NODE_ENV=production/),
    ]);
    expect(loadConfig({ ...credentials, NODE_ENV: 'production', AUTH_MODE: 'none' }).auth).toEqual({
      mode: 'none',
    });
  });

  it('refuses an unknown AUTH_MODE', () => {
    expect(problemsOf({ AUTH_MODE: 'basic' })).toEqual([
      'AUTH_MODE must be none, api-key or jwt (got "basic")',
    ]);
  });

  describe('with AUTH_MODE=api-key', () => {
    it('takes every key from TOKEN_SERVER_API_KEYS', () => {
      const config = loadConfig({
        AUTH_MODE: 'api-key',
        TOKEN_SERVER_API_KEYS: `${apiKeyA}, ${apiKeyB}`,
      });
      expect(config.auth).toEqual({ mode: 'api-key', callerApiKeys: [apiKeyA, apiKeyB] });
      expect(configWarnings(config).join('\n')).not.toMatch(/AUTH_MODE/);
    });

    it('requires at least one key', () => {
      expect(problemsOf({ AUTH_MODE: 'api-key' }).join('\n')).toMatch(
        /TOKEN_SERVER_API_KEYS .* must list at least one key/,
      );
    });

    it('refuses keys shorter than 32 characters without printing them', () => {
      const problems = problemsOf({
        AUTH_MODE: 'api-key',
        TOKEN_SERVER_API_KEYS: `${apiKeyA},short-key`,
      });
      expect(problems).toEqual(['TOKEN_SERVER_API_KEYS: key 2 of 2 is shorter than 32 characters']);
    });

    it('reads the keys from TOKEN_SERVER_API_KEYS_FILE, one per line', () => {
      const files: Record<string, string> = { '/run/secrets/keys': `${apiKeyA}\n${apiKeyB}\n` };
      const config = loadConfig(
        { AUTH_MODE: 'api-key', TOKEN_SERVER_API_KEYS_FILE: '/run/secrets/keys' },
        (path) => files[path] ?? '',
      );
      expect(config.auth).toEqual({ mode: 'api-key', callerApiKeys: [apiKeyA, apiKeyB] });
    });
  });

  describe('with AUTH_MODE=jwt', () => {
    const jwtEnv = {
      AUTH_MODE: 'jwt',
      AUTH_ISSUER: 'https://login.example.com/',
      AUTH_AUDIENCE: 'video-app',
    };

    it('takes a JWKS URL, issuer, audience and the identity claim (sub by default)', () => {
      const config = loadConfig({
        ...jwtEnv,
        AUTH_JWKS_URL: 'https://login.example.com/.well-known/jwks.json',
      });
      expect(config.auth).toEqual({
        mode: 'jwt',
        jwksUrl: 'https://login.example.com/.well-known/jwks.json',
        jwtSecret: undefined,
        issuer: 'https://login.example.com/',
        audience: 'video-app',
        identityClaim: 'sub',
      });
    });

    it('takes an HS256 secret and another identity claim', () => {
      const config = loadConfig({
        ...jwtEnv,
        AUTH_JWT_SECRET: 'j'.repeat(40),
        AUTH_IDENTITY_CLAIM: 'user_id',
      });
      expect(config.auth).toMatchObject({ jwtSecret: 'j'.repeat(40), identityClaim: 'user_id' });
    });

    it('requires exactly one key source', () => {
      expect(problemsOf(jwtEnv).join('\n')).toMatch(/exactly one of AUTH_JWKS_URL/);
      const both = problemsOf({
        ...jwtEnv,
        AUTH_JWKS_URL: 'https://login.example.com/jwks',
        AUTH_JWT_SECRET: 'j'.repeat(40),
      });
      expect(both.join('\n')).toMatch(/exactly one of AUTH_JWKS_URL/);
    });

    it('requires the issuer and the audience', () => {
      const problems = problemsOf({ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 'j'.repeat(40) });
      expect(problems).toEqual([
        'AUTH_ISSUER must be set when AUTH_MODE=jwt',
        'AUTH_AUDIENCE must be set when AUTH_MODE=jwt',
      ]);
    });

    it('refuses a short secret and a JWKS URL that is not http(s)', () => {
      expect(problemsOf({ ...jwtEnv, AUTH_JWT_SECRET: 'short' })).toEqual([
        'AUTH_JWT_SECRET must be at least 32 characters long',
      ]);
      expect(problemsOf({ ...jwtEnv, AUTH_JWKS_URL: 'file:///etc/jwks.json' })).toEqual([
        'AUTH_JWKS_URL must be an http:// or https:// URL (got "file:///etc/jwks.json")',
      ]);
    });

    it('warns about a plain-http JWKS URL that is not on this machine', () => {
      const config = loadConfig({ ...jwtEnv, AUTH_JWKS_URL: 'http://login.example.com/jwks' });
      expect(configWarnings(config).join('\n')).toMatch(/AUTH_JWKS_URL uses plain http/);
    });
  });

  describe('describeConfig', () => {
    it('prints how many API keys there are, never the keys or the JWT secret', () => {
      const apiKeyConfig = loadConfig({ AUTH_MODE: 'api-key', TOKEN_SERVER_API_KEYS: apiKeyA });
      expect(describeConfig(apiKeyConfig)).toMatchObject({ auth_mode: 'api-key', api_keys: 1 });
      expect(JSON.stringify(describeConfig(apiKeyConfig))).not.toContain(apiKeyA);
      const jwtConfig = loadConfig({
        AUTH_MODE: 'jwt',
        AUTH_JWT_SECRET: 'j'.repeat(40),
        AUTH_ISSUER: 'issuer',
        AUTH_AUDIENCE: 'audience',
      });
      expect(JSON.stringify(describeConfig(jwtConfig))).not.toContain('j'.repeat(40));
    });
  });
});

describe('loadConfig for secrets in files', () => {
  const files: Record<string, string> = {
    '/run/secrets/livekit': `${credentials.LIVEKIT_API_SECRET}\n`,
    '/run/secrets/empty': '\n',
  };
  const readFile = (path: string): string => {
    const contents = files[path];
    if (contents === undefined) {
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    }
    return contents;
  };

  it('reads LIVEKIT_API_SECRET_FILE, trimming the trailing newline', () => {
    const config = loadConfig(
      { LIVEKIT_API_KEY: 'APIkey', LIVEKIT_API_SECRET_FILE: '/run/secrets/livekit' },
      readFile,
    );
    expect(config.livekitApiSecret).toBe(credentials.LIVEKIT_API_SECRET);
  });

  it('refuses a variable and its _FILE twin both set', () => {
    const problems = problemsOf({
      ...credentials,
      LIVEKIT_API_SECRET_FILE: '/run/secrets/livekit',
    });
    expect(problems).toEqual([
      'LIVEKIT_API_SECRET and LIVEKIT_API_SECRET_FILE are both set: set one',
    ]);
  });

  it('names a file it cannot read, and an empty one', () => {
    expect(() =>
      loadConfig({ LIVEKIT_API_KEY: 'APIkey', LIVEKIT_API_SECRET_FILE: '/missing' }, readFile),
    ).toThrow(/LIVEKIT_API_SECRET_FILE names a file that cannot be read \(\/missing: ENOENT\)/);
    expect(() =>
      loadConfig(
        { LIVEKIT_API_KEY: 'APIkey', LIVEKIT_API_SECRET_FILE: '/run/secrets/empty' },
        readFile,
      ),
    ).toThrow(/LIVEKIT_API_SECRET_FILE names an empty file/);
  });
});

describe('loadConfig for LIVEKIT_KEYS', () => {
  const oldSecret = 'old-secret-of-at-least-32-characters-long';
  const newSecret = 'new-secret-of-at-least-32-characters-long';

  it('accepts every listed key and signs with LIVEKIT_API_KEY, its secret taken from the list', () => {
    const config = loadConfig({
      LIVEKIT_KEYS: `APIold: ${oldSecret}\nAPInew: ${newSecret}`,
      LIVEKIT_API_KEY: 'APInew',
    });
    expect(config.livekitApiKey).toBe('APInew');
    expect(config.livekitApiSecret).toBe(newSecret);
    expect([...config.livekitKeys]).toEqual([
      ['APIold', oldSecret],
      ['APInew', newSecret],
    ]);
    expect(describeConfig(config).livekit_keys_accepted).toBe('APIold,APInew');
    expect(JSON.stringify(describeConfig(config))).not.toContain(oldSecret);
  });

  it('accepts comma-separated pairs beside LIVEKIT_API_SECRET', () => {
    const config = loadConfig({
      LIVEKIT_KEYS: `APIold: ${oldSecret}, APInew: ${newSecret}`,
      LIVEKIT_API_KEY: 'APInew',
      LIVEKIT_API_SECRET: newSecret,
    });
    expect(config.livekitKeys.size).toBe(2);
  });

  it('refuses a list that disagrees with LIVEKIT_API_SECRET', () => {
    expect(
      problemsOf({
        LIVEKIT_KEYS: `APInew: ${newSecret}`,
        LIVEKIT_API_KEY: 'APInew',
        LIVEKIT_API_SECRET: oldSecret,
      }),
    ).toEqual([
      'LIVEKIT_KEYS gives the key APInew another secret than LIVEKIT_API_SECRET: make them agree',
    ]);
  });

  it('refuses malformed entries without printing them', () => {
    const problems = problemsOf({
      LIVEKIT_KEYS: `APIold ${oldSecret}`,
      LIVEKIT_API_KEY: 'APIold',
      LIVEKIT_API_SECRET: oldSecret,
    });
    expect(problems).toEqual(['LIVEKIT_KEYS entry 1 is not of the form "key: secret"']);
  });

  it('requires LIVEKIT_API_KEY to pick the signing key', () => {
    expect(problemsOf({ LIVEKIT_KEYS: `APIold: ${oldSecret}` })).toEqual([
      'LIVEKIT_API_KEY must name the key of LIVEKIT_KEYS that signs new tokens',
    ]);
  });
});

describe('loadConfig for abuse limits', () => {
  it('defaults to 60 /token and 120 /validate requests a minute', () => {
    const config = loadConfig({});
    expect(config.tokenRateLimitPerMinute).toBe(60);
    expect(config.validateRateLimitPerMinute).toBe(120);
    expect(config.trustProxy).toBe(false);
  });

  it('takes 0 as no limit', () => {
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0' }).tokenRateLimitPerMinute).toBe(0);
  });

  it.each([['-1'], ['ten'], ['1.5']])('refuses RATE_LIMIT_PER_MINUTE=%s', (limit) => {
    expect(problemsOf({ RATE_LIMIT_PER_MINUTE: limit }).join('\n')).toMatch(
      /^RATE_LIMIT_PER_MINUTE must be a whole number/,
    );
  });

  it.each([
    ['true', true],
    ['2', 2],
    ['loopback, 10.0.0.0/8, fd00::/8', ['loopback', '10.0.0.0/8', 'fd00::/8']],
  ])('takes TRUST_PROXY=%s', (raw, expected) => {
    expect(loadConfig({ TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });

  it.each([['proxy.example.com'], ['10.0.0.0/33'], ['yes']])('refuses TRUST_PROXY=%s', (raw) => {
    expect(problemsOf({ TRUST_PROXY: raw }).join('\n')).toMatch(/^TRUST_PROXY must be/);
  });

  it('anchors ROOM_NAME_PATTERN to the whole name', () => {
    const pattern = loadConfig({ ROOM_NAME_PATTERN: 'class-[0-9]+' }).roomNamePattern;
    expect(pattern?.test('class-101')).toBe(true);
    expect(pattern?.test('xclass-101')).toBe(false);
    expect(pattern?.test('class-101-admin')).toBe(false);
  });

  it('refuses a ROOM_NAME_PATTERN that is not a regular expression', () => {
    expect(problemsOf({ ROOM_NAME_PATTERN: 'class-(' }).join('\n')).toMatch(
      /^ROOM_NAME_PATTERN is not a valid regular expression/,
    );
  });
});

describe('.env.example', () => {
  it('copied to .env as it is, loads and runs on the development credentials', () => {
    const example = parseDotenv(readFileSync(join(__dirname, '..', '.env.example')));
    const config = loadConfig(example);
    expect(config.usingDevelopmentCredentials).toBe(true);
    expect(config.auth).toEqual({ mode: 'none' });
  });

  it('mentions every variable the server reads', () => {
    const example = readFileSync(join(__dirname, '..', '.env.example'), 'utf8');
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(25);
    for (const { name } of CONFIG_VARIABLES) expect(example).toContain(name);
  });
});

describe('CONFIG_VARIABLES', () => {
  it('lists every variable loadConfig reads, in every auth mode', () => {
    const listed = new Set(CONFIG_VARIABLES.map(({ name }) => name));
    for (const mode of ['none', 'api-key', 'jwt']) {
      const read = new Set<string>();
      // Records every name asked for, set or not: a variable read but not listed fails.
      const env = new Proxy({ AUTH_MODE: mode } as Record<string, string>, {
        get: (target, name) => {
          if (typeof name === 'string') read.add(name);
          return target[name as string];
        },
      });
      try {
        loadConfig(env);
      } catch (error) {
        // api-key and jwt modes lack their settings here: what matters is what was read.
        expect(error).toBeInstanceOf(ConfigError);
      }
      expect([...read].filter((name) => !listed.has(name))).toEqual([]);
      expect(read.size).toBeGreaterThan(15);
    }
  });

  it('marks the secrets, and only them, as secret', () => {
    const secrets = CONFIG_VARIABLES.filter(({ secret }) => secret).map(({ name }) => name);
    expect(secrets.sort()).toEqual([
      'AUTH_JWT_SECRET',
      'LIVEKIT_API_SECRET',
      'LIVEKIT_KEYS',
      'TOKEN_SERVER_API_KEYS',
    ]);
  });

  it('names each variable once, with a section and a description', () => {
    const names = CONFIG_VARIABLES.map(({ name }) => name);
    expect(new Set(names).size).toBe(names.length);
    for (const variable of CONFIG_VARIABLES) {
      expect(variable.description.length).toBeGreaterThan(5);
      expect(['general', 'http', 'livekit', 'auth', 'limits', 'roles']).toContain(variable.section);
    }
  });
});

describe('loadConfig for roles and agents', () => {
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

    it('allows any agent', () => {
      expect(config.agentNames).toBeUndefined();
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
        'TOKEN_SERVER_PORT must be a whole number from 0 to 65535 (got "x")',
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

  describe('with AGENT_NAMES', () => {
    it('takes a comma list, trimmed', () => {
      const config = loadConfig({ ...credentials, AGENT_NAMES: ' support-agent , tutor ,' });
      expect(config.agentNames).toEqual(new Set(['support-agent', 'tutor']));
    });

    it.each([[','], ['support-agent,tutor\u0007']])('refuses %j', (agentNames) => {
      expect(problemsOf({ ...credentials, AGENT_NAMES: agentNames })).toEqual([
        'AGENT_NAMES must be a comma list of agent names',
      ]);
    });
  });

  describe('with AUTH_ROLES_CLAIM', () => {
    const jwtEnv = {
      ...credentials,
      AUTH_MODE: 'jwt',
      AUTH_JWT_SECRET: 'j'.repeat(40),
      AUTH_ISSUER: 'https://login.example.com/',
      AUTH_AUDIENCE: 'video-app',
    };

    it('takes the claim path in jwt mode', () => {
      const config = loadConfig({ ...jwtEnv, AUTH_ROLES_CLAIM: 'realm_access.roles' });
      expect(config.auth).toMatchObject({ mode: 'jwt', rolesClaim: 'realm_access.roles' });
    });

    it('leaves it undefined in jwt mode when unset', () => {
      const config = loadConfig(jwtEnv);
      expect(config.auth).toHaveProperty('rolesClaim', undefined);
    });

    it('has no use outside jwt mode', () => {
      const config = loadConfig({
        ...credentials,
        AUTH_MODE: 'api-key',
        TOKEN_SERVER_API_KEYS: 'caller-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        AUTH_ROLES_CLAIM: 'roles',
      });
      expect(config.auth).not.toHaveProperty('rolesClaim');
    });
  });

  describe('configWarnings', () => {
    const apiKeyEnv = {
      ...credentials,
      AUTH_MODE: 'api-key',
      TOKEN_SERVER_API_KEYS: 'caller-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    };
    const liveKitUrlWarning =
      'LIVEKIT_URL is not set: POST /connection-details answers 503 until it names your LiveKit server.';

    it('warns that /connection-details answers 503 without LIVEKIT_URL', () => {
      expect(configWarnings(loadConfig(apiKeyEnv))).toEqual([liveKitUrlWarning]);
    });

    it('does not warn about LIVEKIT_URL once it is set', () => {
      const config = loadConfig({ ...apiKeyEnv, LIVEKIT_URL: 'wss://rtc.example.com' });
      expect(configWarnings(config)).toEqual([]);
    });

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

    it('shows the roles claim in jwt mode, or that there is none', () => {
      const jwtEnv = {
        ...credentials,
        AUTH_MODE: 'jwt',
        AUTH_JWT_SECRET: 'j'.repeat(40),
        AUTH_ISSUER: 'issuer',
        AUTH_AUDIENCE: 'audience',
      };
      expect(
        describeConfig(loadConfig({ ...jwtEnv, AUTH_ROLES_CLAIM: 'realm_access.roles' })),
      ).toMatchObject({ auth_roles_claim: 'realm_access.roles' });
      expect(describeConfig(loadConfig(jwtEnv))).toMatchObject({ auth_roles_claim: '(none)' });
    });
  });
});
