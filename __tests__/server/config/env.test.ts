import { loadConfig } from '../../../server/src/config';
import { LIVEKIT_CREDENTIALS as credentials, problemsOf } from '../../support/config';

describe('loadConfig reading the environment', () => {
  it('treats blank variables as unset', () => {
    expect(loadConfig({ TOKEN_SERVER_PORT: '  ', LIVEKIT_API_KEY: '' }).port).toBe(8002);
  });
});

describe('loadConfig for secrets in files', () => {
  const files: Record<string, string> = {
    '/run/secrets/livekit': `${credentials.LIVEKIT_API_SECRET}\n`,
    '/run/secrets/empty': '\n',
  };
  const readFile = (path: string): string => {
    const contents = files[path];
    if (contents === undefined) {
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    }
    return contents;
  };

  it('reads LIVEKIT_API_SECRET_FILE, trimming the trailing newline', () => {
    const config = loadConfig(
      { LIVEKIT_API_KEY: 'APIkey', LIVEKIT_API_SECRET_FILE: '/run/secrets/livekit' },
      readFile,
    );
    expect(config.livekitApiSecret).toBe(credentials.LIVEKIT_API_SECRET);
  });

  it('refuses a variable and its _FILE twin both set', () => {
    const problems = problemsOf({
      ...credentials,
      LIVEKIT_API_SECRET_FILE: '/run/secrets/livekit',
    });
    expect(problems).toEqual([
      'LIVEKIT_API_SECRET and LIVEKIT_API_SECRET_FILE are both set: set one',
    ]);
  });

  it('names a file it cannot read, and an empty one', () => {
    expect(() =>
      loadConfig({ LIVEKIT_API_KEY: 'APIkey', LIVEKIT_API_SECRET_FILE: '/missing' }, readFile),
    ).toThrow(/LIVEKIT_API_SECRET_FILE names a file that cannot be read \(\/missing: ENOENT\)/);
    expect(() =>
      loadConfig(
        { LIVEKIT_API_KEY: 'APIkey', LIVEKIT_API_SECRET_FILE: '/run/secrets/empty' },
        readFile,
      ),
    ).toThrow(/LIVEKIT_API_SECRET_FILE names an empty file/);
  });
});
