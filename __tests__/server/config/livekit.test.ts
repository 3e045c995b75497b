import {
  configWarnings,
  describeConfig,
  loadConfig,
  MAX_TOKEN_EXPIRY_HOURS,
} from '../../../server/src/config';
import { LIVEKIT_CREDENTIALS as credentials, problemsOf, secretLike } from '../../support/config';

describe('loadConfig for LiveKit', () => {
  describe('with an empty environment', () => {
    const config = loadConfig({});

    it("falls back to LiveKit's development credentials and says so", () => {
      expect(config).toMatchObject({
        livekitApiKey: 'devkey',
        livekitApiSecret: 'secret',
        usingDevelopmentCredentials: true,
      });
      expect(configWarnings(config).join('\n')).toMatch(/development credentials devkey/);
    });
  });

  it('warns when the secret is shorter than 32 characters', () => {
    const config = loadConfig({ LIVEKIT_API_KEY: 'APIkey', LIVEKIT_API_SECRET: 'short' });
    expect(configWarnings(config).join('\n')).toMatch(/shorter than 32 characters/);
  });

  describe('with NODE_ENV=production', () => {
    it('refuses to start without credentials, naming both', () => {
      expect(problemsOf({ NODE_ENV: 'production', AUTH_MODE: 'none' })).toEqual([
        'LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set when NODE_ENV=production',
      ]);
    });

    it('names the one credential that is missing', () => {
      expect(
        problemsOf({ NODE_ENV: 'production', AUTH_MODE: 'none', LIVEKIT_API_KEY: 'APIkey' }),
      ).toEqual(['LIVEKIT_API_SECRET must be set when NODE_ENV=production']);
    });

    it('refuses the public development credentials', () => {
      const problems = problemsOf({
        NODE_ENV: 'production',
        LIVEKIT_API_KEY: 'devkey',
        LIVEKIT_API_SECRET: 'secret',
      });
      expect(problems.join('\n')).toMatch(/development pair/);
    });
  });

  it('refuses one credential without the other outside production', () => {
    expect(problemsOf({ LIVEKIT_API_SECRET: 'x'.repeat(40) })).toEqual([
      'LIVEKIT_API_KEY must be set too: set both LiveKit credentials, or neither',
    ]);
  });

  it.each([
    ['0'],
    ['-2'],
    ['soon'],
    ['Infinity'],
    [String(MAX_TOKEN_EXPIRY_HOURS + 1)],
    ['0.0001'],
  ])('refuses TOKEN_EXPIRY_HOURS=%s', (hours) => {
    expect(problemsOf({ TOKEN_EXPIRY_HOURS: hours }).join('\n')).toMatch(/^TOKEN_EXPIRY_HOURS/);
  });

  it.each([['livekit.example.com'], ['ftp://livekit.example.com']])(
    'refuses LIVEKIT_URL=%s',
    (url) => {
      expect(problemsOf({ LIVEKIT_URL: url }).join('\n')).toMatch(/^LIVEKIT_URL/);
    },
  );

  it('says what is wrong with LIVEKIT_URL without showing it', () => {
    expect(problemsOf({ LIVEKIT_URL: 'livekit.example.com' })).toEqual([
      'LIVEKIT_URL must be a ws://, wss://, http:// or https:// URL; the value is not a URL (is its scheme missing?) and is not shown',
    ]);
    expect(problemsOf({ LIVEKIT_URL: 'ftp://user:password@livekit.example.com' })).toEqual([
      'LIVEKIT_URL must be a ws://, wss://, http:// or https:// URL, not a URL with the scheme ftp:',
    ]);
    // A pasted secret may parse as a URL whose scheme is the secret itself.
    expect(problemsOf({ LIVEKIT_URL: `APIk${'x'.repeat(36)}:${secretLike('scheme')}` })).toEqual([
      'LIVEKIT_URL must be a ws://, wss://, http:// or https:// URL, not a URL with another scheme',
    ]);
  });

  it('prints LIVEKIT_URL without user info, query or fragment', () => {
    const secret = secretLike('livekit-url');
    const config = loadConfig({
      LIVEKIT_URL: `wss://user:${secret}@rtc.example.com/path?access_token=${secret}#${secret}`,
    });
    expect(describeConfig(config).livekit_url).toBe('wss://rtc.example.com/path');
    expect(JSON.stringify(describeConfig(config))).not.toContain(secret);
  });

  describe('configWarnings', () => {
    const apiKeyEnv = {
      ...credentials,
      AUTH_MODE: 'api-key',
      TOKEN_SERVER_API_KEYS: 'caller-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    };
    const liveKitUrlWarning =
      'LIVEKIT_URL is not set: POST /connection-details answers 503 until it names your LiveKit server.';

    it('warns that /connection-details answers 503 without LIVEKIT_URL', () => {
      expect(configWarnings(loadConfig(apiKeyEnv))).toEqual([liveKitUrlWarning]);
    });

    it('does not warn about LIVEKIT_URL once it is set', () => {
      const config = loadConfig({ ...apiKeyEnv, LIVEKIT_URL: 'wss://rtc.example.com' });
      expect(configWarnings(config)).toEqual([]);
    });
  });
});

describe('loadConfig for LIVEKIT_KEYS', () => {
  const oldSecret = 'old-secret-of-at-least-32-characters-long';
  const newSecret = 'new-secret-of-at-least-32-characters-long';

  it('accepts every listed key and signs with LIVEKIT_API_KEY, its secret taken from the list', () => {
    const config = loadConfig({
      LIVEKIT_KEYS: `APIold: ${oldSecret}\nAPInew: ${newSecret}`,
      LIVEKIT_API_KEY: 'APInew',
    });
    expect(config.livekitApiKey).toBe('APInew');
    expect(config.livekitApiSecret).toBe(newSecret);
    expect([...config.livekitKeys]).toEqual([
      ['APIold', oldSecret],
      ['APInew', newSecret],
    ]);
    expect(describeConfig(config).livekit_keys_accepted).toBe('APIold,APInew');
    expect(JSON.stringify(describeConfig(config))).not.toContain(oldSecret);
  });

  it('accepts comma-separated pairs beside LIVEKIT_API_SECRET', () => {
    const config = loadConfig({
      LIVEKIT_KEYS: `APIold: ${oldSecret}, APInew: ${newSecret}`,
      LIVEKIT_API_KEY: 'APInew',
      LIVEKIT_API_SECRET: newSecret,
    });
    expect(config.livekitKeys.size).toBe(2);
  });

  it('refuses a list that disagrees with LIVEKIT_API_SECRET', () => {
    expect(
      problemsOf({
        LIVEKIT_KEYS: `APInew: ${newSecret}`,
        LIVEKIT_API_KEY: 'APInew',
        LIVEKIT_API_SECRET: oldSecret,
      }),
    ).toEqual([
      'LIVEKIT_KEYS gives the key APInew another secret than LIVEKIT_API_SECRET: make them agree',
    ]);
  });

  it('refuses malformed entries without printing them', () => {
    const problems = problemsOf({
      LIVEKIT_KEYS: `APIold ${oldSecret}`,
      LIVEKIT_API_KEY: 'APIold',
      LIVEKIT_API_SECRET: oldSecret,
    });
    expect(problems).toEqual(['LIVEKIT_KEYS entry 1 is not of the form "key: secret"']);
  });

  it('requires LIVEKIT_API_KEY to pick the signing key', () => {
    expect(problemsOf({ LIVEKIT_KEYS: `APIold: ${oldSecret}` })).toEqual([
      'LIVEKIT_API_KEY must name the key of LIVEKIT_KEYS that signs new tokens',
    ]);
  });
});
