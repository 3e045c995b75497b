import { configWarnings, describeConfig, loadConfig } from '../../../server/src/config';
import { pastedSecrets, problemsOf, secretLike } from '../../support/config';

describe('loadConfig for Redis', () => {
  describe('without REDIS_URL', () => {
    const config = loadConfig({});

    it('keeps the budgets in memory, and says so at start-up', () => {
      expect(config.redisUrl).toBeUndefined();
      expect(describeConfig(config)).toMatchObject({ rate_limit_store: 'memory' });
      expect(describeConfig(config)).not.toHaveProperty('redis_url');
    });

    it('prefixes keys with lkts:', () => {
      expect(config.redisKeyPrefix).toBe('lkts:');
    });
  });

  it.each([
    ['redis://127.0.0.1:6379'],
    ['redis://redis.internal'],
    ['rediss://user:pass@redis.example.com:6380/2'],
    ['redis://[::1]:6379/0'],
  ])('takes REDIS_URL=%s', (url) => {
    expect(loadConfig({ REDIS_URL: url }).redisUrl).toBe(url);
  });

  it('reads REDIS_URL from REDIS_URL_FILE, trimmed', () => {
    const files: Record<string, string> = { '/run/secrets/redis': 'rediss://:pw@redis:6380\n' };
    const config = loadConfig(
      { REDIS_URL_FILE: '/run/secrets/redis' },
      (path) => files[path] ?? '',
    );
    expect(config.redisUrl).toBe('rediss://:pw@redis:6380');
  });

  it('refuses REDIS_URL and REDIS_URL_FILE together', () => {
    expect(
      problemsOf({ REDIS_URL: 'redis://redis:6379', REDIS_URL_FILE: '/run/secrets/redis' }),
    ).toEqual(['REDIS_URL and REDIS_URL_FILE are both set: set one']);
  });

  it.each([
    [
      'http://redis:6379',
      'REDIS_URL must be a redis:// or rediss:// (TLS) URL, not a URL with the scheme http:',
    ],
    ['redis:6379', 'REDIS_URL must name a host: redis://host:6379'],
    [
      'localhost:6379',
      'REDIS_URL must be a redis:// or rediss:// (TLS) URL, not a URL with the scheme localhost:',
    ],
    ['redis://', 'REDIS_URL must name a host: redis://host:6379'],
    [
      'redis://redis:6379/cache',
      'REDIS_URL may have a database number as its path (redis://host:6379/0), nothing else',
    ],
  ])('refuses REDIS_URL=%s', (url, problem) => {
    expect(problemsOf({ REDIS_URL: url })).toEqual([problem]);
  });

  it('never shows a refused REDIS_URL, which may hold a password', () => {
    const secret = secretLike('redis-url');
    for (const value of [
      ...pastedSecrets(secret),
      `redis://:${secret}@redis:6379/${secret}`,
      `rediss://:${secret}@`,
    ]) {
      const problems = problemsOf({ REDIS_URL: value });
      expect(problems).toHaveLength(1);
      expect(problems.join('\n')).not.toContain(secret.slice(0, 12));
    }
  });

  describe('with a password in REDIS_URL', () => {
    const secret = secretLike('redis-password');

    it('prints the URL without it at start-up', () => {
      const config = loadConfig({
        REDIS_URL: `rediss://default:${secret}@redis.example.com:6380/1`,
      });
      expect(describeConfig(config)).toMatchObject({
        rate_limit_store: 'redis',
        redis_url: 'rediss://redis.example.com:6380/1',
        redis_key_prefix: 'lkts:',
      });
      expect(JSON.stringify(describeConfig(config))).not.toContain(secret);
      expect(configWarnings(config).join('\n')).not.toContain(secret);
    });

    it('warns when it travels in clear text to another host', () => {
      const config = loadConfig({ REDIS_URL: `redis://:${secret}@redis.example.com:6379` });
      expect(configWarnings(config).join('\n')).toMatch(
        /^REDIS_URL sends its password in clear text/m,
      );
      expect(configWarnings(config).join('\n')).not.toContain(secret);
    });

    it.each([
      ['rediss://:pw@redis.example.com'],
      ['redis://:pw@127.0.0.1:6379'],
      ['redis://redis:6379'],
    ])('does not warn with %s', (url) => {
      expect(configWarnings(loadConfig({ REDIS_URL: url })).join('\n')).not.toMatch(/REDIS_URL/);
    });
  });

  it('takes another REDIS_KEY_PREFIX', () => {
    expect(loadConfig({ REDIS_KEY_PREFIX: 'tokens:eu-1:' }).redisKeyPrefix).toBe('tokens:eu-1:');
  });

  it.each([['two words'], ['x'.repeat(65)], ['préfixe:']])(
    'refuses REDIS_KEY_PREFIX=%s',
    (prefix) => {
      expect(problemsOf({ REDIS_KEY_PREFIX: prefix }).join('\n')).toMatch(
        /^REDIS_KEY_PREFIX must be 1 to 64 visible ASCII characters/,
      );
    },
  );
});
