// The one filter that every string the token server supplies goes through before the CLI
// prints it: error codes, messages and details, the summary's fields, what /validate decoded,
// the JSON of --json. A hostile server could otherwise drive the terminal: ESC starts ANSI
// sequences that move the cursor or clear the screen, ESC ] ... BEL retitles the window, CR
// and LF forge a line such as a success, and bidirectional overrides reorder what is shown.

/** The most UTF-16 code units of one server-supplied string that are shown; the rest is counted. */
export const MAX_SHOWN_LENGTH = 500;

/**
 * What never reaches the terminal raw: C0 and C1 controls and DEL; the Arabic letter mark,
 * bidirectional marks, embeddings, overrides and isolates; the line and paragraph separators;
 * and the invisible characters (zero-width space and joiners, word joiner, invisible
 * operators, byte order mark), which the server refuses in identities and room names too.
 */
const UNSAFE = /[\p{Cc}\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;
const EVERY_UNSAFE = new RegExp(UNSAFE.source, 'gu');

/**
 * `value` for a line of text: as is when it holds nothing unsafe; otherwise as a JSON string,
 * in quotes, with every unsafe character written as a visible escape (`\n`, `\u001b`,
 * `\u202e`). Past `maxLength`, the rest is cut and counted: `… (1234 more characters)`.
 */
export function displayText(value: string, maxLength = MAX_SHOWN_LENGTH): string {
  let shown = value;
  if (value.length > maxLength) {
    shown = value.slice(0, maxLength);
    // Not half of a surrogate pair, which would print as U+FFFD.
    if (/[\ud800-\udbff]$/.test(shown)) shown = shown.slice(0, -1);
  }
  const safe = UNSAFE.test(shown) ? escapeUnsafe(JSON.stringify(shown)) : shown;
  if (shown.length === value.length) return safe;
  return `${safe}… (${countCodePoints(value.slice(shown.length))} more characters)`;
}

/**
 * `value` as JSON on one line that holds nothing unsafe, yet parses back to the same value:
 * JSON.stringify escapes the C0 controls, but leaves DEL, C1 controls and bidirectional
 * characters raw; inside a JSON string, their `\uXXXX` escapes mean the same characters.
 */
export function displayJson(value: unknown): string {
  return escapeUnsafe(JSON.stringify(value));
}

/**
 * A JSON answer for stdout, ending with a newline: `text` as received, unless it holds what a
 * terminal would act on (a line break or CR between fields, a bidi override or a C1 control in
 * a string); then `value`, its parse, re-serialised on one line with those escaped. Either way,
 * it parses to the same values.
 */
export function jsonAsReceived(text: string, value: unknown): string {
  const shown = isSafeToShow(text.replace(/\n$/, '')) ? text : displayJson(value);
  return shown.endsWith('\n') ? shown : `${shown}\n`;
}

/** Whether `text` can be printed as is. */
export function isSafeToShow(text: string): boolean {
  return !UNSAFE.test(text);
}

/** How many characters (code points, not UTF-16 code units) `text` holds. */
function countCodePoints(text: string): number {
  return text.length - (text.match(/[\ud800-\udbff][\udc00-\udfff]/g)?.length ?? 0);
}

/** Every unsafe character of `text` as its `\uXXXX` escape. */
function escapeUnsafe(text: string): string {
  return text.replace(
    EVERY_UNSAFE,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
