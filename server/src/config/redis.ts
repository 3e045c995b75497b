// The Redis section: where the rate limits keep their budgets when several instances must
// share them (REDIS_URL), the prefix of the keys they write there (REDIS_KEY_PREFIX), how
// long one call may take (REDIS_TIMEOUT_MS), and how much of a budget an instance hands out
// on its own while Redis does not answer (REDIS_FALLBACK_SHARE).
import { withoutCredentials } from '../logger';
import {
  gotValue,
  isWholeNumber,
  parseUrl,
  read,
  readSecret,
  sectionVariables,
  type ParseContext,
} from './env';

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
  {
    name: 'REDIS_TIMEOUT_MS',
    description:
      'Longest one Redis call may take before that request is counted in memory, in milliseconds (default 250)',
  },
  {
    name: 'REDIS_FALLBACK_SHARE',
    description:
      "Share of a caller's budget each instance hands out on its own while Redis does not answer, from 0.01 to 1 (default 0.1; 1/instances keeps the total at one budget)",
  },
]);

/**
 * The default time a call may take: five times what a managed Redis in another zone over
 * TLS takes, and room for a process not scheduled for a while on a busy host. At 50 ms, two
 * instances on two loaded cores gave one caller twice its budget with Redis healthy.
 */
export const DEFAULT_REDIS_TIMEOUT_MS = 250;
const MIN_REDIS_TIMEOUT_MS = 10;
const MAX_REDIS_TIMEOUT_MS = 10_000;

/**
 * The default share: while Redis does not answer, an instance gives a caller a tenth of its
 * budget, so that ten instances together hand out no more than one budget.
 */
export const DEFAULT_REDIS_FALLBACK_SHARE = 0.1;

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
  /** Longest one Redis call may take, in milliseconds. */
  redisTimeoutMs: number;
  /** The share of a budget an instance hands out on its own while Redis does not answer. */
  redisFallbackShare: number;
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

function parseTimeout({ env, problems }: ParseContext): number {
  const raw = read(env, 'REDIS_TIMEOUT_MS');
  if (raw === undefined) return DEFAULT_REDIS_TIMEOUT_MS;
  const milliseconds = Number(raw);
  if (
    !isWholeNumber(raw) ||
    milliseconds < MIN_REDIS_TIMEOUT_MS ||
    milliseconds > MAX_REDIS_TIMEOUT_MS
  ) {
    problems.push(
      `REDIS_TIMEOUT_MS must be a whole number of milliseconds from ${MIN_REDIS_TIMEOUT_MS} to ${MAX_REDIS_TIMEOUT_MS}`,
    );
    return DEFAULT_REDIS_TIMEOUT_MS;
  }
  return milliseconds;
}

function parseFallbackShare({ env, problems }: ParseContext): number {
  const raw = read(env, 'REDIS_FALLBACK_SHARE');
  if (raw === undefined) return DEFAULT_REDIS_FALLBACK_SHARE;
  const share = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || share < 0.01 || share > 1) {
    problems.push(
      `REDIS_FALLBACK_SHARE must be a number from 0.01 to 1 ${gotValue(raw, /^[\d.]+$/)}`,
    );
    return DEFAULT_REDIS_FALLBACK_SHARE;
  }
  return share;
}

/** Reads the Redis section. */
export function parseRedis(context: ParseContext): RedisConfig {
  return {
    redisUrl: parseRedisUrl(context),
    redisKeyPrefix: parseKeyPrefix(context),
    redisTimeoutMs: parseTimeout(context),
    redisFallbackShare: parseFallbackShare(context),
  };
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
    redis_timeout_ms: config.redisTimeoutMs,
    redis_fallback_share: config.redisFallbackShare,
  };
}
