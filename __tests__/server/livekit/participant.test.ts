import {
  ProtoShapeError,
  readInt64,
  readParticipantInfo,
  takesSeat,
} from '../../../server/src/livekit/participant';

describe('takesSeat', () => {
  // LiveKit's IsDependent (pkg/rtc/participant.go): AGENT or EGRESS kind, agent or recorder grant.
  it.each([
    ['STANDARD', {}, true],
    [undefined, {}, true],
    ['AGENT', {}, false],
    [4, {}, false],
    ['EGRESS', {}, false],
    [2, {}, false],
    ['INGRESS', {}, true],
    [1, {}, true],
    ['SIP', {}, true],
    [3, {}, true],
    ['CONNECTOR', {}, true],
    ['STANDARD', { agent: true }, false],
    ['STANDARD', { recorder: true }, false],
    ['STANDARD', { hidden: true }, true],
    ['STANDARD', { agent: 'true' }, true],
  ])('kind %p with permission %p: %p', (kind, permission, expected) => {
    expect(takesSeat(kind, permission)).toBe(expected);
  });
});

describe('readInt64', () => {
  it('reads decimal strings and numbers, and nothing for absent values', () => {
    expect(readInt64('1700000000123', 'f')).toBe(1_700_000_000_123);
    expect(readInt64(-5, 'f')).toBe(-5);
    expect(readInt64('0', 'f')).toBe(0);
    expect(readInt64(undefined, 'f')).toBeUndefined();
    expect(readInt64(null, 'f')).toBeUndefined();
  });

  it('refuses what is no exact integer', () => {
    for (const value of [
      '1.5',
      '',
      '1e3',
      ' 1',
      1.5,
      Number.NaN,
      2 ** 53,
      '99999999999999999',
      true,
      {},
    ]) {
      expect(() => readInt64(value, 'joinedAt')).toThrow(new ProtoShapeError('joinedAt'));
    }
  });
});

describe('readParticipantInfo', () => {
  it('prefers joined_at_ms, in either naming, over joined_at', () => {
    expect(readParticipantInfo({ identity: 'a', joined_at: '2', joined_at_ms: '2500' })).toEqual({
      identity: 'a',
      takesSeat: true,
      joinedAtMs: 2500,
    });
    expect(readParticipantInfo({ identity: 'a', joinedAt: 2, joinedAtMs: '0' }).joinedAtMs).toBe(
      2000,
    );
  });

  it('refuses participants without an identity, or of the wrong shape', () => {
    for (const value of [
      null,
      [],
      'ada',
      { identity: '' },
      { identity: 'a', permission: [] },
      { identity: 'a', kind: {} },
    ]) {
      expect(() => readParticipantInfo(value)).toThrow(ProtoShapeError);
    }
  });
});
