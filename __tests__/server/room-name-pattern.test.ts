import { compileRoomNamePattern, type RoomNamePattern } from '../../server/src/room-name-pattern';

function compiled(source: string): RoomNamePattern {
  const pattern = compileRoomNamePattern(source);
  if ('problem' in pattern) throw new Error(pattern.problem);
  return pattern;
}

describe('compileRoomNamePattern', () => {
  it('matches whole room names only', () => {
    const pattern = compiled('class-[0-9]+');
    expect(pattern.test('class-101')).toBe(true);
    expect(pattern.test('xclass-101')).toBe(false);
    expect(pattern.test('class-101-admin')).toBe(false);
    expect(pattern.source).toBe('class-[0-9]+');
  });

  it('keeps alternation inside the anchors', () => {
    const pattern = compiled('a|b');
    expect(pattern.test('a')).toBe(true);
    expect(pattern.test('ab')).toBe(false);
  });

  it('matches Unicode room names by code point', () => {
    expect(compiled('\\p{L}{1,3}').test('été')).toBe(true);
  });

  describe('with a nested quantifier that makes backtracking engines take exponential time', () => {
    it('answers a hostile name at once', () => {
      const pattern = compiled('([a-z0-9]+)*-room');
      // 33 letters and a '!' froze JavaScript's RegExp for 8 to 22 seconds; RE2 is linear.
      expect(pattern.test(`${'a'.repeat(33)}!`)).toBe(false);
      expect(pattern.test(`${'a'.repeat(5000)}!`)).toBe(false);
      expect(pattern.test('abc-room')).toBe(true);
    });
  });

  describe.each([
    ['a backreference', '(a)\\1'],
    ['a lookahead', '(?=a)a'],
    ['a lookbehind', '(?<=a)b'],
    ['an unclosed group', 'class-('],
  ])('with %s', (_label, source) => {
    it('answers a problem naming ROOM_NAME_PATTERN and saying what to write instead', () => {
      const pattern = compileRoomNamePattern(source);
      expect(pattern).toEqual({
        problem: expect.stringMatching(/^ROOM_NAME_PATTERN is not a valid regular expression/),
      });
      expect((pattern as { problem: string }).problem).toMatch(/backreferences .* lookarounds/);
    });
  });
});
