import { loadConfig } from '../../../server/src/config';
import { LIVEKIT_CREDENTIALS as credentials, problemsOf } from '../../support/config';

describe('loadConfig for limits', () => {
  it('defaults to 60 /token and 120 /validate requests a minute', () => {
    const config = loadConfig({});
    expect(config.tokenRateLimitPerMinute).toBe(60);
    expect(config.validateRateLimitPerMinute).toBe(120);
    expect(config.trustProxy).toBe(false);
  });

  it('takes 0 as no limit', () => {
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0' }).tokenRateLimitPerMinute).toBe(0);
  });

  it.each([['-1'], ['ten'], ['1.5']])('refuses RATE_LIMIT_PER_MINUTE=%s', (limit) => {
    expect(problemsOf({ RATE_LIMIT_PER_MINUTE: limit }).join('\n')).toMatch(
      /^RATE_LIMIT_PER_MINUTE must be a whole number/,
    );
  });

  it('tracks at most 100,000 callers per budget unless RATE_LIMIT_MAX_CALLERS says otherwise', () => {
    expect(loadConfig({}).rateLimitMaxCallers).toBe(100_000);
    expect(loadConfig({ RATE_LIMIT_MAX_CALLERS: '5000' }).rateLimitMaxCallers).toBe(5000);
  });

  it.each([['9'], ['10000001'], ['many'], ['1e5']])('refuses RATE_LIMIT_MAX_CALLERS=%s', (cap) => {
    expect(problemsOf({ RATE_LIMIT_MAX_CALLERS: cap })).toEqual([
      'RATE_LIMIT_MAX_CALLERS must be a whole number from 10 to 10000000',
    ]);
  });

  it('anchors ROOM_NAME_PATTERN to the whole name', () => {
    const pattern = loadConfig({ ROOM_NAME_PATTERN: 'class-[0-9]+' }).roomNamePattern;
    expect(pattern?.test('class-101')).toBe(true);
    expect(pattern?.test('xclass-101')).toBe(false);
    expect(pattern?.test('class-101-admin')).toBe(false);
  });

  it('refuses a ROOM_NAME_PATTERN that is not a regular expression', () => {
    expect(problemsOf({ ROOM_NAME_PATTERN: 'class-(' }).join('\n')).toMatch(
      /^ROOM_NAME_PATTERN is not a valid regular expression/,
    );
  });

  describe('without AGENT_NAMES', () => {
    const config = loadConfig(credentials);

    it('allows any agent', () => {
      expect(config.agentNames).toBeUndefined();
    });
  });

  describe('with AGENT_NAMES', () => {
    it('takes a comma list, trimmed', () => {
      const config = loadConfig({ ...credentials, AGENT_NAMES: ' support-agent , tutor ,' });
      expect(config.agentNames).toEqual(new Set(['support-agent', 'tutor']));
    });

    it.each([[','], ['support-agent,tutor\u0007']])('refuses %j', (agentNames) => {
      expect(problemsOf({ ...credentials, AGENT_NAMES: agentNames })).toEqual([
        'AGENT_NAMES must be a comma list of agent names',
      ]);
    });
  });
});

describe('MAX_METADATA_BYTES', () => {
  it('defaults to 64 KiB, our own cap below LiveKit’s', () => {
    expect(loadConfig({}).maxMetadataBytes).toBe(65536);
  });

  it('may be raised to LiveKit’s own cap of 512 KiB', () => {
    expect(loadConfig({ MAX_METADATA_BYTES: '524288' }).maxMetadataBytes).toBe(524288);
  });

  it.each(['524289', '0', '64k', '-1'])('refuses %s, naming LiveKit’s cap', (raw) => {
    expect(problemsOf({ MAX_METADATA_BYTES: raw })).toEqual([
      expect.stringMatching(/^MAX_METADATA_BYTES must be a whole number of bytes from 1 to 524288/),
    ]);
  });
});

describe('ROOM_NAME_PATTERN with a nested quantifier', () => {
  it('is accepted, and run in linear time', () => {
    const pattern = loadConfig({ ROOM_NAME_PATTERN: '([a-z0-9]+)*-room' }).roomNamePattern;
    expect(pattern?.test(`${'a'.repeat(33)}!`)).toBe(false);
  });

  it('with a backreference is refused, saying how to rewrite it', () => {
    expect(problemsOf({ ROOM_NAME_PATTERN: '(a)\\1' }).join('\n')).toMatch(
      /backreferences .* are not supported: describe the whole name instead/,
    );
  });
});
