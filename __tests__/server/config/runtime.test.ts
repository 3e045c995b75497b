import { availableParallelism } from 'node:os';
import { loadConfig } from '../../../server/src/config';
import { problemsOf } from '../../support/config';

describe('loadConfig for processes and shutdown', () => {
  it('defaults to one process and no drain outside production', () => {
    expect(loadConfig({})).toMatchObject({ workers: 1, shutdownDrainMs: 0 });
  });

  it('drains for 5 s by default in production', () => {
    const production = loadConfig({
      NODE_ENV: 'production',
      AUTH_MODE: 'none',
      LIVEKIT_API_KEY: 'APIprod',
      LIVEKIT_API_SECRET: 'a-production-secret-of-32-characters!!',
    });
    expect(production.shutdownDrainMs).toBe(5000);
  });

  it('takes TOKEN_SERVER_WORKERS=auto as one worker per CPU', () => {
    expect(loadConfig({ TOKEN_SERVER_WORKERS: 'auto' }).workers).toBe(
      Math.min(availableParallelism(), 64),
    );
  });

  it.each(['0', '65', 'two', '-1'])('refuses TOKEN_SERVER_WORKERS=%s', (raw) => {
    expect(problemsOf({ TOKEN_SERVER_WORKERS: raw })).toEqual([
      expect.stringMatching(/^TOKEN_SERVER_WORKERS must be auto or a whole number from 1 to 64/),
    ]);
  });

  it.each(['120001', '5s', '-5'])('refuses SHUTDOWN_DRAIN_MS=%s', (raw) => {
    expect(problemsOf({ SHUTDOWN_DRAIN_MS: raw })).toEqual([
      expect.stringMatching(/^SHUTDOWN_DRAIN_MS must be a whole number of milliseconds/),
    ]);
  });
});
