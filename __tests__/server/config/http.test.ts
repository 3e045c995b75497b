import { configWarnings, loadConfig } from '../../../server/src/config';
import { LIVEKIT_CREDENTIALS as credentials, problemsOf } from '../../support/config';

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
  });

  describe('with CORS_ORIGINS', () => {
    it('accepts "*" as CORS_ORIGINS and warns about it', () => {
      const config = loadConfig({ ...credentials, CORS_ORIGINS: '*' });
      expect(config.corsOrigins).toBe('*');
      expect(configWarnings(config).join('\n')).toMatch(/any web page/);
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
  });
});
