import { describeConfig, loadConfig } from '../../../server/src/config';
import { LIVEKIT_CREDENTIALS as credentials, problemsOf, secretLike } from '../../support/config';

describe('loadConfig for the API reference (DOCS)', () => {
  it('turns it on outside production', () => {
    expect(loadConfig({}).docsEnabled).toBe(true);
  });

  it('turns it off in production', () => {
    const config = loadConfig({ ...credentials, NODE_ENV: 'production', AUTH_MODE: 'none' });
    expect(config.docsEnabled).toBe(false);
  });

  it.each([
    ['on', {}, true],
    ['off', {}, false],
    ['ON', {}, true],
    [' off ', {}, false],
    ['on', { NODE_ENV: 'production', AUTH_MODE: 'none' }, true],
  ])('takes DOCS=%s', (value, env, enabled) => {
    expect(loadConfig({ ...credentials, ...env, DOCS: value }).docsEnabled).toBe(enabled);
  });

  it('refuses another word, quoting it', () => {
    expect(problemsOf({ DOCS: 'yes' })).toEqual(['DOCS must be on or off (got "yes")']);
  });

  it('refuses a long value without showing it', () => {
    const secret = secretLike('docs');
    const problems = problemsOf({ DOCS: secret });
    expect(problems).toEqual(['DOCS must be on or off (the value is not shown)']);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('describes itself at start-up', () => {
    expect(describeConfig(loadConfig({ DOCS: 'off' }))).toMatchObject({ docs: 'off' });
  });
});
