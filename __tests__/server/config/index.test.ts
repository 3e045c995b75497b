import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import {
  CONFIG_VARIABLES,
  ConfigError,
  configWarnings,
  describeConfig,
  loadConfig,
} from '../../../server/src/config';
import { BUILT_IN_ROLES } from '../../../server/src/roles';
import {
  LIVEKIT_CREDENTIALS as credentials,
  pastedSecrets,
  problemsOf,
  secretLike,
} from '../../support/config';

describe('loadConfig', () => {
  describe('with an empty environment', () => {
    const config = loadConfig({});

    it('uses the documented defaults', () => {
      expect(config).toMatchObject({
        port: 8002,
        host: '0.0.0.0',
        corsOrigins: 'loopback',
        tokenTtlSeconds: 24 * 3600,
        livekitUrl: undefined,
        production: false,
      });
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
      MAX_METADATA_BYTES: '524288',
      REDIS_URL: 'rediss://:redis-password@redis.example.com:6380/1',
      REDIS_KEY_PREFIX: 'tokens:',
      REDIS_TIMEOUT_MS: '400',
      REDIS_FALLBACK_SHARE: '0.5',
      DATA_DIR: '/var/lib/token-server',
      ROOM_MAX_PARTICIPANTS: '12',
      SEAT_HOLD_SECONDS: '30',
      DUPLICATE_IDENTITY: 'refuse',
      AUDIT_RETENTION_DAYS: '7',
      MODERATION_RATE_LIMIT_PER_MINUTE: '30',
      INVITE_URL_BASE: 'https://app.example.com/join',
      LOBBY_WAIT_SECONDS: '300',
      INVITE_FAILURE_LIMIT_PER_MINUTE: '5',
      TOKEN_SERVER_WORKERS: '3',
      SHUTDOWN_DRAIN_MS: '2500',
      METRICS_PORT: '9100',
      METRICS_HOST: '127.0.0.1',
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
        roomNamePattern: expect.objectContaining({ source: 'class-[0-9]+' }),
        tokenRateLimitPerMinute: 30,
        validateRateLimitPerMinute: 90,
        trustProxy: 1,
        roles: BUILT_IN_ROLES,
        publicRoles: new Set(['viewer']),
        defaultRole: 'viewer',
        docsEnabled: false,
        workers: 3,
        shutdownDrainMs: 2500,
        metricsPort: 9100,
        metricsHost: '127.0.0.1',
        agentNames: new Set(['support-agent', 'tutor']),
        maxMetadataBytes: 524288,
        rateLimitMaxCallers: 100_000,
        redisUrl: 'rediss://:redis-password@redis.example.com:6380/1',
        redisKeyPrefix: 'tokens:',
        redisTimeoutMs: 400,
        redisFallbackShare: 0.5,
        dataDir: '/var/lib/token-server',
        roomMaxParticipants: 12,
        seatHoldSeconds: 30,
        duplicateIdentity: 'refuse',
        auditRetentionDays: 7,
        moderationRateLimitPerMinute: 30,
        inviteUrlBase: 'https://app.example.com/join',
        lobbyWaitSeconds: 300,
        inviteFailureLimitPerMinute: 5,
      });
    });

    it('has no warnings', () => {
      expect(configWarnings(config)).toEqual([]);
    });

    it('describes itself without the secret', () => {
      const description = JSON.stringify(describeConfig(config));
      expect(description).toContain('APIkey');
      expect(description).not.toContain(credentials.LIVEKIT_API_SECRET);
      expect(description).not.toContain('redis-password');
    });
  });

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

describe('loadConfig problems', () => {
  const jwtEnv = { AUTH_MODE: 'jwt', AUTH_ISSUER: 'issuer', AUTH_AUDIENCE: 'audience' };

  // Every variable whose problem quoted its value, and the lists that quote bad entries.
  it.each([
    ['AUTH_MODE', {}],
    ['TOKEN_SERVER_PORT', {}],
    ['PORT', {}],
    ['TOKEN_EXPIRY_HOURS', {}],
    ['RATE_LIMIT_PER_MINUTE', {}],
    ['VALIDATE_RATE_LIMIT_PER_MINUTE', {}],
    ['LIVEKIT_URL', {}],
    ['AUTH_JWKS_URL', jwtEnv],
    ['CORS_ORIGINS', {}],
    ['TRUST_PROXY', {}],
    ['PUBLIC_ROLES', {}],
    ['DEFAULT_ROLE', {}],
  ])('name %s but never show a secret pasted into it', (name, env) => {
    const secret = secretLike(name);
    for (const value of pastedSecrets(secret)) {
      const problems = problemsOf({ ...credentials, ...env, [name]: value });
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^${name} `))]);
      // Not even a part of it.
      expect(problems.join('\n')).not.toContain(secret.slice(0, 12));
    }
  });
});

describe('.env.example', () => {
  const examplePath = join(__dirname, '..', '..', '..', '.env.example');
  const example = parseDotenv(readFileSync(examplePath));

  it('copied to .env as it is, loads and runs on the development credentials', () => {
    const config = loadConfig(example);
    expect(config.usingDevelopmentCredentials).toBe(true);
    expect(config.auth).toEqual({ mode: 'none' });
  });

  it('copied to .env as it is, changes no default, in development or production', () => {
    expect(loadConfig(example)).toEqual(loadConfig({}));
    const production = { ...credentials, NODE_ENV: 'production', AUTH_MODE: 'api-key' };
    const keys = { TOKEN_SERVER_API_KEYS: 'caller-key-cccccccccccccccccccccccccccccc' };
    expect(loadConfig({ ...example, ...production, ...keys })).toEqual(
      loadConfig({ ...production, ...keys }),
    );
  });

  it('copied to .env as it is, leaves NODE_ENV=production refusing to start until AUTH_MODE is chosen', () => {
    expect(problemsOf({ ...example, ...credentials, NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^AUTH_MODE must be set explicitly when NODE_ENV=production/),
    ]);
  });

  it('mentions every variable the server reads', () => {
    const text = readFileSync(examplePath, 'utf8');
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(25);
    for (const { name } of CONFIG_VARIABLES) expect(text).toContain(name);
  });

  it('shows only variables the server reads, even in its commented-out lines', () => {
    const text = readFileSync(examplePath, 'utf8');
    const shown = [...text.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map(([, name]) => name ?? '');
    expect(shown.length).toBeGreaterThan(25);
    const listed = new Set(CONFIG_VARIABLES.map(({ name }) => name));
    expect(shown.filter((name) => !listed.has(name))).toEqual([]);
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
      'REDIS_URL',
      'TOKEN_SERVER_API_KEYS',
    ]);
  });

  it('names each variable once, with a section and a description', () => {
    const names = CONFIG_VARIABLES.map(({ name }) => name);
    expect(new Set(names).size).toBe(names.length);
    for (const variable of CONFIG_VARIABLES) {
      expect(variable.description.length).toBeGreaterThan(5);
      expect([
        'general',
        'http',
        'livekit',
        'auth',
        'limits',
        'redis',
        'moderation',
        'invites',
        'roles',
        'docs',
        'runtime',
        'metrics',
      ]).toContain(variable.section);
    }
  });
});
