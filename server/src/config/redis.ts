// The Redis section: where the rate limits keep their budgets when several instances must
// share them (REDIS_URL), and the prefix of the keys they write there (REDIS_KEY_PREFIX).
import { withoutCredentials } from '../logger';
import { gotValue, parseUrl, read, readSecret, sectionVariables, type ParseContext } from './env';

export const REDIS_VARIABLES = sectionVariables('redis', [
  {
    name: 'REDIS_URL',
    secret: true,
    file: true,
    description:
      'redis:// or rediss:// (TLS) URL of a Redis shared by every instance, which then share one rate-limit budget per caller; unset keeps budgets in memory, per instance',
  },
  {
    name: 'REDIS_KEY_PREFIX',
    description: 'Prefix of the rate-limit keys written to Redis (default lkts:)',
  },
]);

/** The default prefix of our keys in Redis, so that a shared Redis tells them apart. */
export const DEFAULT_REDIS_KEY_PREFIX = 'lkts:';

/** Where the rate limits keep their budgets. */
export interface RedisConfig {
  /**
   * The Redis every instance shares, or undefined to keep budgets in memory. May hold a
   * password: print it only through withoutCredentials.
   */
  redisUrl: string | undefined;
  /** Prepended, as it is, to every key written to Redis. */
  redisKeyPrefix: string;
}

const REDIS_URL_SCHEMES = {
  protocols: ['redis:', 'rediss:'],
  description: 'a redis:// or rediss:// (TLS) URL',
};

/** Visible ASCII, no spaces: Redis keys may hold anything, but a prefix is typed by hand. */
const KEY_PREFIX_PATTERN = /^[\x21-\x7e]{1,64}$/;

function parseRedisUrl(context: ParseContext): string | undefined {
  const raw = readSecret(context, 'REDIS_URL');
  if (raw === undefined || raw === null) return undefined;
  const url = parseUrl('REDIS_URL', raw, REDIS_URL_SCHEMES, context.problems);
  if (url === undefined) return undefined;
  const { hostname, pathname } = new URL(url);
  // Problems name the parts, never the value: the URL may hold a password.
  if (hostname === '') {
    context.problems.push('REDIS_URL must name a host: redis://host:6379');
    return undefined;
  }
  // ioredis reads the path as the database number, and would fail on anything else later.
  if (!/^(\/\d*)?$/.test(pathname)) {
    context.problems.push(
      'REDIS_URL may have a database number as its path (redis://host:6379/0), nothing else',
    );
    return undefined;
  }
  return url;
}

function parseKeyPrefix({ env, problems }: ParseContext): string {
  const raw = read(env, 'REDIS_KEY_PREFIX');
  if (raw === undefined) return DEFAULT_REDIS_KEY_PREFIX;
  if (!KEY_PREFIX_PATTERN.test(raw)) {
    problems.push(
      `REDIS_KEY_PREFIX must be 1 to 64 visible ASCII characters, without spaces ${gotValue(raw, /^[\w:.-]+$/)}`,
    );
    return DEFAULT_REDIS_KEY_PREFIX;
  }
  return raw;
}

/** Reads the Redis section. */
export function parseRedis(context: ParseContext): RedisConfig {
  return { redisUrl: parseRedisUrl(context), redisKeyPrefix: parseKeyPrefix(context) };
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** Start-up warnings about Redis settings that work but should not ship. */
export function redisWarnings(config: RedisConfig): string[] {
  if (config.redisUrl === undefined) return [];
  const url = new URL(config.redisUrl);
  if (url.protocol === 'redis:' && url.password !== '' && !LOOPBACK_HOSTS.includes(url.hostname)) {
    return [
      'REDIS_URL sends its password in clear text over redis://: use rediss:// (TLS) unless the network to Redis is private.',
    ];
  }
  return [];
}

/** The Redis settings as printed at start-up: the URL without its password. */
export function describeRedis(config: RedisConfig): Record<string, string | number> {
  if (config.redisUrl === undefined) return { rate_limit_store: 'memory' };
  return {
    rate_limit_store: 'redis',
    redis_url: withoutCredentials(config.redisUrl),
    redis_key_prefix: config.redisKeyPrefix,
  };
}
