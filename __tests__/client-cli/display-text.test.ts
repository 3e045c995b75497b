// The display filter on its own: what it escapes, what it leaves alone, how it bounds a
// string, and that the JSON it writes parses back to the same values.
import {
  displayJson,
  displayText,
  isSafeToShow,
  MAX_SHOWN_LENGTH,
} from '../../client-cli/src/display-text';
import { expectInert, HOSTILE_TEXT } from '../support/hostile-server';

describe('displayText', () => {
  it.each<[string, string, string]>([
    ['ESC of an ANSI sequence', '\u001b[2J\u001b[Hok', '"\\u001b[2J\\u001b[Hok"'],
    ['an OSC title sequence ended by BEL', 'a\u001b]0;pwned\u0007b', '"a\\u001b]0;pwned\\u0007b"'],
    ['CR and LF', 'x\r\nerror: forged', '"x\\r\\nerror: forged"'],
    ['a tab and NUL', 'a\tb\u0000', '"a\\tb\\u0000"'],
    [
      'DEL and the C1 CSI, OSC and ST',
      'a\u007f\u009b2J\u009d0;t\u009c',
      '"a\\u007f\\u009b2J\\u009d0;t\\u009c"',
    ],
    ['a right-to-left override', 'abc\u202edcba', '"abc\\u202edcba"'],
    [
      'isolates and marks',
      '\u2066x\u2069\u200e\u200f\u061c',
      '"\\u2066x\\u2069\\u200e\\u200f\\u061c"',
    ],
    ['line and paragraph separators', 'a\u2028b\u2029c', '"a\\u2028b\\u2029c"'],
    [
      'zero-width and invisible characters',
      'ad\u200bmin\ufeff\u2060',
      '"ad\\u200bmin\\ufeff\\u2060"',
    ],
  ])('escapes %s, in quotes as a JSON string', (_case, value, expected) => {
    expect(displayText(value)).toBe(expected);
    expectInert(displayText(value));
  });

  it.each<[string, string]>([
    ['plain text', 'lobby'],
    ['an email', 'ada@example.com'],
    ['quotes and backslashes', 'say "hi" \\ bye'],
    ['accents, CJK and emoji', 'Zoë 会議室 🎉'],
    ['an ISO date', '2030-01-02T03:04:05.000Z'],
  ])('leaves %s as is', (_case, value) => {
    expect(displayText(value)).toBe(value);
  });

  it(`cuts a string past ${MAX_SHOWN_LENGTH} characters and counts the rest`, () => {
    expect(displayText('a'.repeat(MAX_SHOWN_LENGTH))).toBe('a'.repeat(MAX_SHOWN_LENGTH));
    expect(displayText('a'.repeat(10_000))).toBe(
      `${'a'.repeat(MAX_SHOWN_LENGTH)}… (${10_000 - MAX_SHOWN_LENGTH} more characters)`,
    );
  });

  it('escapes what it keeps of a long string, and counts what it cuts', () => {
    const shown = displayText(`\u001b]0;x\u0007${'a'.repeat(1000)}`, 10);

    expect(shown).toBe('"\\u001b]0;x\\u0007aaaa"… (996 more characters)');
  });

  it('never cuts a surrogate pair in half', () => {
    const shown = displayText(`abc${'🎉'.repeat(10)}`, 4);

    expect(shown).toBe('abc… (10 more characters)');
    expect(shown).not.toMatch(/[\ud800-\udfff]/);
  });
});

describe('displayJson', () => {
  it.each(Object.entries(HOSTILE_TEXT))(
    'writes a value holding %s as one inert line that parses back to it',
    (_case, text) => {
      const value = { [text]: [text, { nested: text }], token: 'a.b.c' };

      const json = displayJson(value);

      expect(JSON.parse(json)).toStrictEqual(value);
      expect(json).not.toContain('\n');
      expectInert(json);
    },
  );
});

describe('isSafeToShow', () => {
  it('accepts plain text and refuses a line break, ESC, C1 or a bidi override', () => {
    expect(isSafeToShow('{"token":"a.b.c"}')).toBe(true);
    for (const text of ['a\nb', 'a\rb', '\u001b', '\u0085', '\u202e']) {
      expect(isSafeToShow(text)).toBe(false);
    }
  });
});
