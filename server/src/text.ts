// The rules for text we take, wherever it comes from: a request body, a login's claims or
// the configuration. Imports nothing, so anything may use it.

/** Control characters (C0, DEL, C1) that have no place in names and identifiers. */
export const CONTROL_CHARACTERS = /\p{Cc}/u;
/** At least one character that is not white space. */
export const NON_SPACE = /\S/;
/**
 * A UTF-16 surrogate that is not half of a pair. JSON can carry one (`"\ud800"`), but no
 * UTF-8 can: LiveKit's Go server decodes each to U+FFFD, so `admin\ud800` and `admin\udc00`,
 * different here, would be one identity there.
 */
export const LONE_SURROGATE = /\p{Cs}/u;
/**
 * Characters that change how text looks without being seen: zero-width characters and
 * joiners, bidirectional marks, embeddings, overrides and isolates, the word joiner and the
 * invisible operators, and the byte order mark. In an identity or a room name they let
 * `admin` and `adm\u200bin` (or a name shown reversed) pass as one another.
 */
export const INVISIBLE_OR_BIDI = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/** The longest name, identity or room name we accept, in characters. */
export const MAX_TEXT_LENGTH = 256;

/**
 * Display text, such as a participant's name: 1-256 characters, no control characters, no
 * lone surrogates, not only white space.
 */
export function isPrintableText(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= MAX_TEXT_LENGTH &&
    NON_SPACE.test(value) &&
    !CONTROL_CHARACTERS.test(value) &&
    !LONE_SURROGATE.test(value)
  );
}

/** An identifier, such as an identity or a room name: display text with nothing invisible. */
export function isIdentifierText(value: unknown): value is string {
  return isPrintableText(value) && !INVISIBLE_OR_BIDI.test(value);
}

/** True for text with no lone surrogate: anything that must survive a trip through UTF-8. */
export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}
