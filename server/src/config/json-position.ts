// Where a file stops being JSON, as a line and a column, for a problem that must show none of
// the file: JSON.parse's own message quotes about ten characters of it ("LKSECRET_t"... for a
// secret file named by mistake), and says no position at all for an unexpected character.
// A leaf module: it imports nothing.

/** Thrown inside the scan with the offset where the text stops being JSON. */
class Stop {
  constructor(readonly at: number) {}
}

const SPACE = ' \t\n\r';
const SIMPLE_ESCAPES = '"\\/bfnrt';

function skipSpace(text: string, at: number): number {
  let next = at;
  while (next < text.length && SPACE.includes(text.charAt(next))) next += 1;
  return next;
}

function isDigit(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return code >= 0x30 && code <= 0x39;
}

/** The offset after the string at `at`. */
function scanString(text: string, at: number): number {
  if (text[at] !== '"') throw new Stop(at);
  let next = at + 1;
  for (;;) {
    if (next >= text.length) throw new Stop(text.length);
    const code = text.charCodeAt(next);
    if (code === 0x22) return next + 1;
    if (code < 0x20) throw new Stop(next);
    const escaped = text.charAt(next + 1);
    if (code !== 0x5c) {
      next += 1;
    } else if (escaped !== '' && SIMPLE_ESCAPES.includes(escaped)) {
      next += 2;
    } else if (escaped === 'u') {
      for (let digit = next + 2; digit < next + 6; digit += 1) {
        if (!/^[0-9a-fA-F]$/.test(text.charAt(digit))) throw new Stop(digit);
      }
      next += 6;
    } else {
      throw new Stop(next + 1);
    }
  }
}

/** The offset after the number at `at`: `-`, digits, a fraction, an exponent. */
function scanNumber(text: string, at: number): number {
  let next = text[at] === '-' ? at + 1 : at;
  if (text[next] === '0') next += 1;
  else if (isDigit(text, next)) while (isDigit(text, next)) next += 1;
  else throw new Stop(next);
  if (text[next] === '.') {
    next += 1;
    if (!isDigit(text, next)) throw new Stop(next);
    while (isDigit(text, next)) next += 1;
  }
  if (text[next] === 'e' || text[next] === 'E') {
    next += 1;
    if (text[next] === '+' || text[next] === '-') next += 1;
    if (!isDigit(text, next)) throw new Stop(next);
    while (isDigit(text, next)) next += 1;
  }
  return next;
}

/** The offset after the string, number, `true`, `false` or `null` at `at`. */
function scanScalar(text: string, at: number): number {
  const first = text.charAt(at);
  if (first === '"') return scanString(text, at);
  if (first === '-' || isDigit(text, at)) return scanNumber(text, at);
  const word = ['true', 'false', 'null'].find((literal) => literal[0] === first);
  if (word === undefined) throw new Stop(at);
  for (let index = 1; index < word.length; index += 1) {
    if (text[at + index] !== word[index]) throw new Stop(Math.min(at + index, text.length));
  }
  return at + word.length;
}

/** The offset after an object's `"key":`, the value's white space included. */
function scanKey(text: string, at: number): number {
  const afterKey = skipSpace(text, scanString(text, at));
  if (text[afterKey] !== ':') throw new Stop(afterKey);
  return afterKey + 1;
}

/**
 * The offset, in UTF-16 code units, of the first character at which `text` stops being JSON
 * (RFC 8259), or `text.length` when it ends too soon; undefined for valid JSON. Iterative,
 * so that deep nesting cannot overflow the stack.
 */
export function jsonErrorOffset(text: string): number | undefined {
  // The closing bracket of every array and object still open, innermost last.
  const open: string[] = [];
  let at = 0;
  let expectValue = true;
  try {
    for (;;) {
      at = skipSpace(text, at);
      if (expectValue) {
        const first = text.charAt(at);
        if (first === '{' || first === '[') {
          const close = first === '{' ? '}' : ']';
          at = skipSpace(text, at + 1);
          if (text[at] === close) {
            at += 1;
            expectValue = false;
          } else {
            open.push(close);
            if (first === '{') at = scanKey(text, at);
          }
        } else {
          at = scanScalar(text, at);
          expectValue = false;
        }
        continue;
      }
      const close = open.at(-1);
      if (close === undefined) return at === text.length ? undefined : at;
      if (text[at] === ',') {
        at += 1;
        if (close === '}') at = scanKey(text, skipSpace(text, at));
        expectValue = true;
      } else if (text[at] === close) {
        open.pop();
        at += 1;
      } else {
        throw new Stop(at);
      }
    }
  } catch (error) {
    if (error instanceof Stop) return error.at;
    throw error;
  }
}

/**
 * Where `text`, refused by JSON.parse, stops being JSON, in words that show none of it:
 * `at line 3, column 14`, or `it ends too soon, at line 9, column 1`.
 */
export function describeJsonError(text: string): string {
  if (text.trim() === '') return 'it is empty';
  const offset = jsonErrorOffset(text) ?? text.length;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  const where = `line ${line}, column ${column}`;
  return offset >= text.length ? `it ends too soon, at ${where}` : `at ${where}`;
}
