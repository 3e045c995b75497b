import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../../../server/src/config';
import {
  editDistance,
  findUnknownVariables,
  unknownVariableReport,
} from '../../../server/src/config/unknown-variables';

describe('findUnknownVariables', () => {
  it('finds AUTH_MOD, and suggests AUTH_MODE', () => {
    expect(findUnknownVariables({ AUTH_MOD: 'api-key' }, ['AUTH_MOD'])).toEqual([
      { name: 'AUTH_MOD', fromDotenv: true, suggestion: 'AUTH_MODE' },
    ]);
  });

  it('tells a name from .env apart from one of the real environment', () => {
    const unknown = findUnknownVariables({ CORS_ORIGIN: 'x', PUBLIC_ROLE: 'viewer' }, [
      'CORS_ORIGIN',
    ]);
    expect(unknown).toEqual([
      { name: 'CORS_ORIGIN', fromDotenv: true, suggestion: 'CORS_ORIGINS' },
      { name: 'PUBLIC_ROLE', fromDotenv: false, suggestion: 'PUBLIC_ROLES' },
    ]);
  });

  it.each([
    ['TOKEN_SERVER_APIKEYS', 'TOKEN_SERVER_API_KEYS'],
    ['LIVEKIT_API_SECRET_KEY', 'LIVEKIT_API_SECRET'],
    ['LIVEKIT_SECRET', 'LIVEKIT_API_SECRET'],
    ['AUTH_JWT_SECRETS', 'AUTH_JWT_SECRET'],
    ['RATE_LIMIT_PER_MIN', 'RATE_LIMIT_PER_MINUTE'],
    ['VALIDATE_RATE_LIMIT', 'VALIDATE_RATE_LIMIT_PER_MINUTE'],
    ['ROOM_NAME_REGEX', undefined],
    ['ROLES_FILES', 'ROLES_FILE'],
    ['PUBLIC_ROLE', 'PUBLIC_ROLES'],
    ['DEFAULT_ROLES', 'DEFAULT_ROLE'],
    ['AGENT_NAME', 'AGENT_NAMES'],
    ['TRUST_PROXY_HOPS', 'TRUST_PROXY'],
    ['MAX_METADATA_SIZE', 'MAX_METADATA_BYTES'],
    ['auth_mode', 'AUTH_MODE'],
    ['AUHT_MODE', 'AUTH_MODE'],
    ['NODE_ENVS', 'NODE_ENV'],
  ])('finds %s, which looks like ours, and suggests %s', (name, suggestion) => {
    expect(findUnknownVariables({ [name]: '1' })).toEqual([
      { name, fromDotenv: false, suggestion },
    ]);
  });

  it.each([
    ['REDIS_NOT_A_SETTING'],
    ['METRICS_NOT_A_SETTING'],
    ['SHUTDOWN_NOT_A_SETTING'],
    ['DOCS_NOT_A_SETTING'],
  ])('finds %s, in a family of ours with few or no variables yet', (name) => {
    expect(findUnknownVariables({ [name]: '1' }).map((unknown) => unknown.name)).toEqual([name]);
  });

  it('knows every variable the server reads', () => {
    const env = Object.fromEntries(CONFIG_VARIABLES.map(({ name }) => [name, 'x']));
    expect(findUnknownVariables(env)).toEqual([]);
  });

  it('knows every variable the request-token CLI reads from the same .env', () => {
    const source = readFileSync(
      join(__dirname, '..', '..', '..', 'client-cli', 'src', 'environment.ts'),
      'utf8',
    );
    const names = [...source.matchAll(/read\(env, '([A-Z_]+)'\)/g)].map(([, name]) => name ?? '');
    expect(names).toEqual(expect.arrayContaining(['TOKEN_SERVER_URL', 'TOKEN_SERVER_API_KEY']));
    const env = Object.fromEntries(names.map((name) => [name, 'x']));
    expect(findUnknownVariables(env)).toEqual([]);
  });

  it("knows LIVEKIT_TOKEN (request-token --env) and livekit-server's own variables", () => {
    const env = Object.fromEntries(
      ['LIVEKIT_TOKEN', 'LIVEKIT_CONFIG', 'LIVEKIT_REGION', 'LIVEKIT_TURN_CERT'].map((name) => [
        name,
        'x',
      ]),
    );
    expect(findUnknownVariables(env)).toEqual([]);
  });

  it('leaves alone variables that do not start like ours', () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/home/ada',
      HOST: '0.0.0.0',
      HOSTNAME: 'web-1',
      NODE_OPTIONS: '--max-old-space-size=512',
      PORTAL_URL: 'https://portal.example.com',
      NEXT_PUBLIC_LIVEKIT_URL: 'wss://rtc.example.com',
      GITHUB_TOKEN: 'x',
      npm_config_cache: '/tmp',
    };
    expect(findUnknownVariables(env, Object.keys(env))).toEqual([]);
  });

  it('skips blank variables, which the server treats as unset', () => {
    expect(findUnknownVariables({ AUTH_MOD: ' ' }, ['AUTH_MOD'])).toEqual([]);
  });
});

describe('unknownVariableReport', () => {
  const env = { AUTH_MOD: 'api-key', LIVEKIT_SERVICE_HOST: '10.0.0.7' };
  const fromDotenv = ['AUTH_MOD'];

  describe('outside production', () => {
    it('warns about each, wherever it was set, and stops nothing', () => {
      expect(unknownVariableReport(env, fromDotenv)).toEqual({
        problems: [],
        warnings: [
          'AUTH_MOD is not a variable this server reads; did you mean AUTH_MODE?',
          'LIVEKIT_SERVICE_HOST is not a variable this server reads',
        ],
      });
    });
  });

  describe('with NODE_ENV=production', () => {
    it('refuses those from .env in one problem, and only warns about the others', () => {
      const report = unknownVariableReport(
        { ...env, CORS_ORIGIN: 'https://app.example.com', NODE_ENV: 'production' },
        [...fromDotenv, 'CORS_ORIGIN'],
      );
      expect(report).toEqual({
        problems: [
          '.env sets variables this server does not read, which NODE_ENV=production refuses: AUTH_MOD (did you mean AUTH_MODE?), CORS_ORIGIN (did you mean CORS_ORIGINS?)',
        ],
        warnings: ['LIVEKIT_SERVICE_HOST is not a variable this server reads'],
      });
    });

    it('has nothing to say about a clean environment', () => {
      expect(unknownVariableReport({ NODE_ENV: 'production', PORT: '8080' }, ['PORT'])).toEqual({
        problems: [],
        warnings: [],
      });
    });
  });
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['AUTH_MODE', 'AUTH_MODE', 0],
    ['AUTH_MOD', 'AUTH_MODE', 1],
    ['AUHT_MODE', 'AUTH_MODE', 2],
    ['kitten', 'sitting', 3],
    ['', 'PORT', 4],
  ])('from %j to %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});
