import { configWarnings, describeConfig, loadConfig } from '../../../server/src/config';
import { LIVEKIT_CREDENTIALS as credentials, problemsOf, secretLike } from '../../support/config';

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

  it('refuses a secret pasted into AUTH_MODE without showing it', () => {
    expect(problemsOf({ AUTH_MODE: secretLike('auth-mode') })).toEqual([
      'AUTH_MODE must be none, api-key or jwt (the value is not shown)',
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

    it('refuses keys separated by spaces, which would become one key, without showing them', () => {
      const problems = problemsOf({
        AUTH_MODE: 'api-key',
        TOKEN_SERVER_API_KEYS: `${apiKeyA} ${apiKeyB}, ${apiKeyA}`,
      });
      expect(problems).toEqual([
        'TOKEN_SERVER_API_KEYS: key 1 of 2 contains white space; separate keys with commas or newlines',
      ]);
    });

    it('refuses a key holding a tab in TOKEN_SERVER_API_KEYS_FILE', () => {
      const files: Record<string, string> = { '/run/secrets/keys': `${apiKeyA}\t${apiKeyB}\n` };
      expect(() =>
        loadConfig(
          { AUTH_MODE: 'api-key', TOKEN_SERVER_API_KEYS_FILE: '/run/secrets/keys' },
          (path) => files[path] ?? '',
        ),
      ).toThrow(/key 1 of 1 contains white space; separate keys with commas or newlines/);
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
        jwksTimeoutMs: 5000,
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
        'AUTH_JWKS_URL must be an http:// or https:// URL, not a URL with the scheme file:',
      ]);
    });

    it('warns about a plain-http JWKS URL that is not on this machine', () => {
      const config = loadConfig({ ...jwtEnv, AUTH_JWKS_URL: 'http://login.example.com/jwks' });
      expect(configWarnings(config).join('\n')).toMatch(/AUTH_JWKS_URL uses plain http/);
    });

    describe('with NODE_ENV=production', () => {
      const production = {
        ...jwtEnv,
        NODE_ENV: 'production',
        LIVEKIT_API_KEY: 'APIproduction',
        LIVEKIT_API_SECRET: 'production-secret-0123456789abcdefghijklmnop',
      };

      it('refuses a plain-http JWKS URL that is not on this machine, naming https', () => {
        expect(
          problemsOf({ ...production, AUTH_JWKS_URL: 'http://login.example.com/jwks' }),
        ).toEqual([
          expect.stringMatching(/^AUTH_JWKS_URL must use https:\/\/ when NODE_ENV=production/),
        ]);
      });

      it.each([
        'http://localhost:8080/jwks',
        'http://127.0.0.1/jwks',
        'http://127.10.0.1/jwks',
        'http://[::1]:9000/jwks',
        'https://login.example.com/jwks',
      ])('accepts %s, without a warning about it', (url) => {
        const config = loadConfig({ ...production, AUTH_JWKS_URL: url });
        expect(configWarnings(config).join('\n')).not.toMatch(/AUTH_JWKS_URL/);
      });
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

    it('prints AUTH_JWKS_URL without user info, query or fragment', () => {
      const secret = secretLike('jwks-url');
      const config = loadConfig({
        AUTH_MODE: 'jwt',
        AUTH_JWKS_URL: `https://client:${secret}@login.example.com/jwks.json?key=${secret}#${secret}`,
        AUTH_ISSUER: 'issuer',
        AUTH_AUDIENCE: 'audience',
      });
      expect(describeConfig(config).auth_keys).toBe('https://login.example.com/jwks.json');
      expect(JSON.stringify(describeConfig(config))).not.toContain(secret);
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

describe('loadConfig with the variables of another AUTH_MODE', () => {
  const apiKey = 'caller-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  const jwt = {
    AUTH_MODE: 'jwt',
    AUTH_JWT_SECRET: 'j'.repeat(40),
    AUTH_ISSUER: 'https://login.example.com/',
    AUTH_AUDIENCE: 'video-app',
  };

  it('warns that TOKEN_SERVER_API_KEYS is ignored with AUTH_MODE=jwt, never showing the keys', () => {
    const config = loadConfig({ ...credentials, ...jwt, TOKEN_SERVER_API_KEYS: apiKey });
    const warnings = configWarnings(config).join('\n');
    expect(warnings).toMatch(
      /TOKEN_SERVER_API_KEYS is set, but AUTH_MODE=jwt does not read it: only the jwt settings apply/,
    );
    expect(warnings).not.toContain(apiKey);
  });

  it('warns that the AUTH_ settings are ignored with AUTH_MODE=api-key', () => {
    const config = loadConfig({
      ...credentials,
      AUTH_MODE: 'api-key',
      TOKEN_SERVER_API_KEYS: apiKey,
      AUTH_ISSUER: 'https://login.example.com/',
      AUTH_AUDIENCE: 'video-app',
    });
    expect(configWarnings(config).join('\n')).toMatch(
      /AUTH_ISSUER, AUTH_AUDIENCE are set, but AUTH_MODE=api-key does not read them/,
    );
  });

  it('warns that keys set with AUTH_MODE=none check nobody', () => {
    const config = loadConfig({ ...credentials, TOKEN_SERVER_API_KEYS: apiKey });
    expect(configWarnings(config).join('\n')).toMatch(
      /TOKEN_SERVER_API_KEYS is set, but AUTH_MODE=none does not read it: callers go unchecked/,
    );
  });

  it('warns about nothing of the kind when each variable belongs to the mode', () => {
    const config = loadConfig({ ...credentials, ...jwt });
    expect(configWarnings(config).join('\n')).not.toMatch(/does not read/);
  });
});
