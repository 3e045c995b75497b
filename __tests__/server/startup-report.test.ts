import { loadConfig } from '../../server/src/config';
import { reportStyleFor, startupReport } from '../../server/src/startup-report';

const config = loadConfig({ LIVEKIT_URL: 'wss://user:pw@rtc.example.com/?key=k' });
const details = { version: '1.2.3', url: 'http://0.0.0.0:8002', port: 8002, workers: 1 };

describe('reportStyleFor', () => {
  it('writes text for a person at a terminal, JSON otherwise and always in production', () => {
    expect(reportStyleFor(true, config)).toBe('text');
    expect(reportStyleFor(false, config)).toBe('json');
    const production = loadConfig({
      NODE_ENV: 'production',
      AUTH_MODE: 'none',
      LIVEKIT_API_KEY: 'APIprod',
      LIVEKIT_API_SECRET: 'a-production-secret-of-32-characters!!',
    });
    expect(reportStyleFor(true, production)).toBe('json');
  });
});

describe('startupReport', () => {
  it('in text, says where it listens, then one short line per section', () => {
    const lines = startupReport('text', config, details).trimEnd().split('\n');
    expect(lines[0]).toBe('LiveKit token server 1.2.3 listening on http://0.0.0.0:8002');
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.slice(1).every((line) => line.startsWith('  '))).toBe(true);
    // Never one 435-character line again.
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(200);
  });

  it('in JSON, writes one parseable line per section, URLs without credentials', () => {
    const text = startupReport('json', config, details);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 'info', url: 'http://0.0.0.0:8002', version: '1.2.3' });
    expect(lines.slice(1).map((line) => line.section)).toEqual(
      expect.arrayContaining(['http', 'livekit', 'auth', 'limits', 'roles']),
    );
    expect(text).toContain('"livekit_url":"wss://rtc.example.com"');
    expect(text).not.toContain('pw@');
    expect(text).not.toContain('key=k');
  });
});
