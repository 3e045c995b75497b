import { createHash } from 'node:crypto';
import { ConfigError, loadConfig } from '../../server/src/config';

/** LiveKit credentials loadConfig accepts, for the tests of every other variable. */
export const LIVEKIT_CREDENTIALS = {
  LIVEKIT_API_KEY: 'APIkey',
  LIVEKIT_API_SECRET: 'a-long-enough-secret-of-32-characters!!',
};

/** The problems loadConfig reports for an environment; throws if it accepts it. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

/** 40 characters that look like a secret (base64url of a hash), different for each label. */
export function secretLike(label: string): string {
  return createHash('sha256').update(label).digest('base64url').slice(0, 40);
}

/**
 * The ways a secret lands in the wrong variable: alone, as LiveKit's `key: secret`, inside
 * a URL (user info, path, query and fragment) with a scheme no variable accepts, and as
 * several keys separated by a space.
 */
export function pastedSecrets(secret: string): string[] {
  return [
    secret,
    `APIkey:${secret}`,
    `ftp://user:${secret}@example.com/${secret}?key=${secret}#${secret}`,
    `${secret} ${secret}`,
  ];
}
