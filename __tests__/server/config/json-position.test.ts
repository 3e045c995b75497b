import fc from 'fast-check';
import { describeJsonError, jsonErrorOffset } from '../../../server/src/config/json-position';

/** The offset V8's JSON.parse names, when its message names one; undefined if it parses. */
function v8Offset(text: string): number | 'none' | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const match = / at position (\d+)/.exec((error as Error).message);
    return match?.[1] === undefined ? 'none' : Number(match[1]);
  }
}

describe('describeJsonError', () => {
  it.each([
    ['a secret alone', 'LKSECRET_abcdef', 'at line 1, column 1'],
    ["LiveKit's key: secret", 'APIkey: secret', 'at line 1, column 1'],
    ['a bare word as a value', '{\n  "a": true,\n  "b": tru\n}', 'at line 3, column 11'],
    ['a trailing comma', '{\n  "a": 1,\n}', 'at line 3, column 1'],
    ['a comment', '{\r\n  // roles\r\n}', 'at line 2, column 3'],
    ['text after the JSON', '{}\n{}', 'at line 2, column 1'],
    ['a bad escape', '{"a\\q": 1}', 'at line 1, column 5'],
    ['a short \\u escape', '{"\\u12": 1}', 'at line 1, column 7'],
    ['a control character in a string', '{"a\u0001": 1}', 'at line 1, column 4'],
    ['a number without digits after its sign', '[-]', 'at line 1, column 3'],
    ['a number with a leading zero', '[01]', 'at line 1, column 3'],
    ['an exponent without digits', '[1e]', 'at line 1, column 4'],
    ['a byte order mark', '\ufeff{}', 'at line 1, column 1'],
    ['a missing colon', '{"a" 1}', 'at line 1, column 6'],
    ['an unterminated string', '{"moderator', 'it ends too soon, at line 1, column 12'],
    ['an unclosed object', '{"a": {"b": 1}\n', 'it ends too soon, at line 2, column 1'],
    ['a cut literal', '[nul', 'it ends too soon, at line 1, column 5'],
    ['nothing', '', 'it is empty'],
    ['white space only', ' \n\t', 'it is empty'],
  ])('places %s', (_label, text, expected) => {
    expect(v8Offset(text)).not.toBeUndefined();
    expect(describeJsonError(text)).toBe(expected);
  });
});

describe('jsonErrorOffset', () => {
  it('finds nothing wrong in any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (value, space) => {
        expect(jsonErrorOffset(JSON.stringify(value, null, space))).toBeUndefined();
      }),
    );
  });

  it('agrees with JSON.parse on where broken JSON breaks, whenever JSON.parse says', () => {
    const broken = fc
      .tuple(fc.json(), fc.nat(), fc.nat({ max: 3 }), fc.string({ maxLength: 3 }))
      .map(([text, at, removed, inserted]) => {
        const cut = at % (text.length + 1);
        return text.slice(0, cut) + inserted + text.slice(cut + removed);
      })
      .filter((text) => typeof v8Offset(text) === 'number');
    fc.assert(
      fc.property(broken, (text) => {
        expect(jsonErrorOffset(text)).toBe(v8Offset(text));
      }),
      { numRuns: 500 },
    );
  });

  it('answers an offset for every text JSON.parse refuses', () => {
    fc.assert(
      fc.property(
        fc.string().filter((text) => v8Offset(text) !== undefined),
        (text) => {
          const offset = jsonErrorOffset(text);
          expect(offset).toBeGreaterThanOrEqual(0);
          expect(offset).toBeLessThanOrEqual(text.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('survives nesting a million deep', () => {
    expect(jsonErrorOffset('['.repeat(1_000_000))).toBe(1_000_000);
    expect(jsonErrorOffset(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`)).toBeUndefined();
  });
});
