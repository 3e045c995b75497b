import { configWarnings, describeConfig, loadConfig } from '../../../server/src/config';
import { LIVEKIT_CREDENTIALS as credentials, problemsOf, secretLike } from '../../support/config';

/** What a production start needs besides the variable under test. */
const production = { ...credentials, NODE_ENV: 'production', AUTH_MODE: 'none' };

describe('loadConfig for HTTP', () => {
  describe('with TOKEN_SERVER_PORT', () => {
    it('accepts port 0, which asks the OS for a free port', () => {
      expect(loadConfig({ TOKEN_SERVER_PORT: '0' }).port).toBe(0);
    });

    it.each([['abc'], ['-1'], ['65536'], ['80.5'], ['1e3']])(
      'refuses TOKEN_SERVER_PORT=%s',
      (port) => {
        expect(problemsOf({ TOKEN_SERVER_PORT: port }).join('\n')).toMatch(/^TOKEN_SERVER_PORT/);
      },
    );

    it('quotes a short numeric value in the problem', () => {
      expect(problemsOf({ TOKEN_SERVER_PORT: '65536' })).toEqual([
        'TOKEN_SERVER_PORT must be a whole number from 0 to 65535 (got "65536")',
      ]);
    });
  });

  describe('with PORT, as hosting platforms set it', () => {
    it('listens on PORT when TOKEN_SERVER_PORT is unset or blank', () => {
      expect(loadConfig({ PORT: '3000' }).port).toBe(3000);
      expect(loadConfig({ PORT: '3000', TOKEN_SERVER_PORT: ' ' }).port).toBe(3000);
    });

    it('listens on TOKEN_SERVER_PORT when both are set', () => {
      expect(loadConfig({ PORT: '3000', TOKEN_SERVER_PORT: '9000' }).port).toBe(9000);
      // PORT is not even read then: a bad one does not matter.
      expect(loadConfig({ PORT: 'x', TOKEN_SERVER_PORT: '9000' }).port).toBe(9000);
    });

    it('names PORT in the problem when PORT was read', () => {
      expect(problemsOf({ PORT: '70000' })).toEqual([
        'PORT must be a whole number from 0 to 65535 (got "70000")',
      ]);
    });

    it('names TOKEN_SERVER_PORT in the problem when that was read', () => {
      expect(problemsOf({ PORT: '3000', TOKEN_SERVER_PORT: '70000' })).toEqual([
        'TOKEN_SERVER_PORT must be a whole number from 0 to 65535 (got "70000")',
      ]);
    });
  });

  describe('with CORS_ORIGINS', () => {
    it('accepts "*" as CORS_ORIGINS and warns about it', () => {
      const config = loadConfig({ ...credentials, CORS_ORIGINS: '*' });
      expect(config.corsOrigins).toBe('*');
      expect(configWarnings(config).join('\n')).toMatch(/any web page/);
    });

    it('takes a list, and describes it as given', () => {
      const config = loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' });
      expect(config.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
      expect(describeConfig(config).cors_origins).toBe(
        'https://app.example.com,http://localhost:5173',
      );
    });

    it.each([
      ['example.com'],
      ['https://app.example.com/'],
      ['https://app.example.com/path'],
      ['ftp://files.example.com'],
      ['http://localhost:3000,*'],
      [','],
    ])('refuses CORS_ORIGINS=%s', (origins) => {
      expect(problemsOf({ CORS_ORIGINS: origins }).join('\n')).toMatch(/^CORS_ORIGINS/);
    });

    it('says what is wrong with each bad entry, showing no more than its origin', () => {
      const secret = secretLike('cors');
      const problems = problemsOf({
        CORS_ORIGINS: [
          'https://ok.example.com',
          'app.example.com',
          'https://app.example.com/',
          `https://user:${secret}@app.example.com`,
          `https://app.example.com/${secret}?key=${secret}`,
          'HTTPS://App.Example.com',
          secret,
          `APIkey:${secret}`,
        ].join(','),
      });
      expect(problems).toEqual([
        'CORS_ORIGINS must be "*" or a comma list of origins like https://app.example.com (no path, no trailing slash); bad: ' +
          '"app.example.com" (not a URL), ' +
          '"https://app.example.com" followed by a path, query or slash, ' +
          '"https://app.example.com" with user info, ' +
          '"https://app.example.com" followed by a path, query or slash, ' +
          '"https://app.example.com" written otherwise (browsers send lower case, without a default port), ' +
          'entry 7 (not a URL; not shown), ' +
          'entry 8 (not http:// or https://)',
      ]);
    });

    describe('unset, outside production', () => {
      const config = loadConfig(credentials);

      it('allows any loopback origin, says so at start-up, and warns about nothing', () => {
        expect(config.corsOrigins).toBe('loopback');
        expect(describeConfig(config).cors_origins).toBe(
          'http://localhost:*,http://127.0.0.1:*,http://[::1]:* (development default)',
        );
        expect(configWarnings(config).join('\n')).not.toMatch(/CORS/);
      });
    });

    describe('unset, with NODE_ENV=production', () => {
      const config = loadConfig(production);

      it('allows no origin, and warns at start-up', () => {
        expect(config.corsOrigins).toEqual([]);
        expect(describeConfig(config).cors_origins).toBe('(none)');
        expect(configWarnings(config)).toContain(
          "CORS_ORIGINS is not set: in production no browser origin may call this server; set CORS_ORIGINS to your web app's origin",
        );
      });

      it('does not warn once CORS_ORIGINS is set', () => {
        const set = loadConfig({ ...production, CORS_ORIGINS: 'https://app.example.com' });
        expect(configWarnings(set).join('\n')).not.toMatch(/CORS_ORIGINS/);
      });
    });
  });

  describe('with TRUST_PROXY', () => {
    it.each([
      ['true', true],
      ['2', 2],
      ['loopback, 10.0.0.0/8, fd00::/8', ['loopback', '10.0.0.0/8', 'fd00::/8']],
    ])('takes TRUST_PROXY=%s', (raw, expected) => {
      expect(loadConfig({ TRUST_PROXY: raw }).trustProxy).toEqual(expected);
    });

    it.each([['proxy.example.com'], ['10.0.0.0/33'], ['yes']])('refuses TRUST_PROXY=%s', (raw) => {
      expect(problemsOf({ TRUST_PROXY: raw }).join('\n')).toMatch(/^TRUST_PROXY must be/);
    });

    it('quotes short bad entries, and only numbers the others', () => {
      const secret = secretLike('trust-proxy');
      expect(problemsOf({ TRUST_PROXY: `loopback,proxy.example.com,${secret}` })).toEqual([
        'TRUST_PROXY must be true, false, a number of proxy hops, or a comma list of addresses, subnets, loopback, linklocal or uniquelocal; bad: "proxy.example.com", entry 3 (not shown)',
      ]);
    });

    describe('=true, which believes any X-Forwarded-For a client sends', () => {
      const explanation =
        'TRUST_PROXY=true believes any X-Forwarded-For the client sends; set the number of proxies in front (e.g. 1) or their addresses/subnets (e.g. loopback,10.0.0.0/8)';

      it('is refused with NODE_ENV=production, saying what to set instead', () => {
        expect(problemsOf({ ...production, TRUST_PROXY: 'true' })).toEqual([explanation]);
      });

      it('is warned about outside production', () => {
        const config = loadConfig({ ...credentials, TRUST_PROXY: 'true' });
        expect(configWarnings(config)).toContain(`${explanation}. NODE_ENV=production refuses it.`);
      });

      it('leaves hop counts and subnets alone in production', () => {
        for (const trustProxy of ['1', 'loopback,10.0.0.0/8']) {
          const config = loadConfig({ ...production, TRUST_PROXY: trustProxy });
          expect(configWarnings(config).join('\n')).not.toMatch(/TRUST_PROXY/);
        }
      });
    });
  });
});
