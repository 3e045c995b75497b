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
