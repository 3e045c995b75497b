import { REPO_ROOT, cleanEnv, runProcess } from '../../support/processes';

/** Loads the built app in a fresh Node process and reports whether jose was loaded. */
async function joseLoadedIn(env: Record<string, string>): Promise<boolean> {
  const script = `
    const { createApp } = require('./server/dist/app.js');
    const { loadConfig } = require('./server/dist/config/index.js');
    createApp(loadConfig(process.env));
    const loaded = Object.keys(require.cache).some((path) => path.includes('/node_modules/jose/'));
    process.stdout.write(String(loaded));
  `;
  const result = await runProcess(process.execPath, ['-e', script], {
    cwd: REPO_ROOT,
    env: cleanEnv(env),
  });
  expect(result.stderr).toBe('');
  return result.stdout === 'true';
}

describe('createCallerAuthentication', () => {
  it.each([
    ['none', {}],
    ['api-key', { AUTH_MODE: 'api-key', TOKEN_SERVER_API_KEYS: 'k'.repeat(40) }],
  ])('with AUTH_MODE=%s never loads jose (25 ms of start-up)', async (_mode, env) => {
    expect(await joseLoadedIn(env)).toBe(false);
  });

  it('with AUTH_MODE=jwt loads jose', async () => {
    const env = {
      AUTH_MODE: 'jwt',
      AUTH_JWT_SECRET: 's'.repeat(40),
      AUTH_ISSUER: 'https://id.example.test/',
      AUTH_AUDIENCE: 'app',
    };
    expect(await joseLoadedIn(env)).toBe(true);
  });
});
