import {
  ConfigError,
  configWarnings,
  describeConfig,
  loadConfig,
  MAX_TOKEN_EXPIRY_HOURS,
} from '../server/src/config';

const credentials = {
  LIVEKIT_API_KEY: 'APIkey',
  LIVEKIT_API_SECRET: 'a-long-enough-secret-of-32-characters!!',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  describe('with an empty environment', () => {
    const config = loadConfig({});

    it('uses the documented defaults', () => {
      expect(config).toMatchObject({
        port: 8002,
        host: '0.0.0.0',
        corsOrigins: ['http://localhost:3000', 'http://localhost:3005'],
        tokenTtlSeconds: 24 * 3600,
        livekitUrl: undefined,
        production: false,
      });
    });

    it("falls back to LiveKit's development credentials and says so", () => {
      expect(config).toMatchObject({
        apiKey: 'devkey',
        apiSecret: 'secret',
        usingDevelopmentCredentials: true,
      });
      expect(configWarnings(config).join('\n')).toMatch(/development credentials devkey/);
    });
  });

  describe('with every variable set', () => {
    const config = loadConfig({
      ...credentials,
      TOKEN_SERVER_PORT: '9000',
      TOKEN_SERVER_HOST: '127.0.0.1',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      TOKEN_EXPIRY_HOURS: '1.5',
      LIVEKIT_URL: 'wss://example.livekit.cloud',
      NODE_ENV: 'production',
    });

    it('takes each of them', () => {
      expect(config).toEqual({
        port: 9000,
        host: '127.0.0.1',
        corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
        tokenTtlSeconds: 5400,
        livekitUrl: 'wss://example.livekit.cloud',
        apiKey: 'APIkey',
        apiSecret: credentials.LIVEKIT_API_SECRET,
        usingDevelopmentCredentials: false,
        production: true,
      });
    });

    it('has no warnings', () => {
      expect(configWarnings(config)).toEqual([]);
    });

    it('describes itself without the secret', () => {
      const description = JSON.stringify(describeConfig(config));
      expect(description).toContain('APIkey');
      expect(description).not.toContain(credentials.LIVEKIT_API_SECRET);
    });
  });

  it('treats blank variables as unset', () => {
    expect(loadConfig({ TOKEN_SERVER_PORT: '  ', LIVEKIT_API_KEY: '' }).port).toBe(8002);
  });

  it('accepts port 0, which asks the OS for a free port', () => {
    expect(loadConfig({ TOKEN_SERVER_PORT: '0' }).port).toBe(0);
  });

  it('accepts "*" as CORS_ORIGINS and warns about it', () => {
    const config = loadConfig({ ...credentials, CORS_ORIGINS: '*' });
    expect(config.corsOrigins).toBe('*');
    expect(configWarnings(config).join('\n')).toMatch(/any web page/);
  });

  it('warns when the secret is shorter than 32 characters', () => {
    const config = loadConfig({ LIVEKIT_API_KEY: 'APIkey', LIVEKIT_API_SECRET: 'short' });
    expect(configWarnings(config).join('\n')).toMatch(/shorter than 32 characters/);
  });

  describe('with NODE_ENV=production', () => {
    it('refuses to start without credentials, naming both', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
        'LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set when NODE_ENV=production',
      ]);
    });

    it('names the one credential that is missing', () => {
      expect(problemsOf({ NODE_ENV: 'production', LIVEKIT_API_KEY: 'APIkey' })).toEqual([
        'LIVEKIT_API_SECRET must be set when NODE_ENV=production',
      ]);
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

  it.each([['abc'], ['-1'], ['65536'], ['80.5'], ['1e3']])(
    'refuses TOKEN_SERVER_PORT=%s',
    (port) => {
      expect(problemsOf({ TOKEN_SERVER_PORT: port }).join('\n')).toMatch(/^TOKEN_SERVER_PORT/);
    },
  );

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

  it.each([
    ['example.com'],
    ['https://app.example.com/'],
    ['https://app.example.com/path'],
    ['ftp://files.example.com'],
    ['http://localhost:3000,*'],
  ])('refuses CORS_ORIGINS=%s', (origins) => {
    expect(problemsOf({ CORS_ORIGINS: origins }).join('\n')).toMatch(/^CORS_ORIGINS/);
  });

  it.each([['livekit.example.com'], ['ftp://livekit.example.com']])(
    'refuses LIVEKIT_URL=%s',
    (url) => {
      expect(problemsOf({ LIVEKIT_URL: url }).join('\n')).toMatch(/^LIVEKIT_URL/);
    },
  );

  it('reports every bad variable at once', () => {
    const problems = problemsOf({
      TOKEN_SERVER_PORT: 'x',
      TOKEN_EXPIRY_HOURS: '0',
      CORS_ORIGINS: 'nope',
      NODE_ENV: 'production',
    });
    expect(problems.map((problem) => problem.split(' ')[0])).toEqual([
      'TOKEN_SERVER_PORT',
      'CORS_ORIGINS',
      'TOKEN_EXPIRY_HOURS',
      'LIVEKIT_API_KEY',
    ]);
  });
});
