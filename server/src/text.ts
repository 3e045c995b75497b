// The rule for names, identities and room names, wherever they come from: a request body,
// a login's claims or the configuration. Imports nothing, so anything may use it.

/** Control characters (C0, DEL, C1) that have no place in names and identifiers. */
export const CONTROL_CHARACTERS = /\p{Cc}/u;
/** At least one character that is not white space. */
export const NON_SPACE = /\S/;

/** The longest name, identity or room name we accept, in characters. */
export const MAX_TEXT_LENGTH = 256;

/** A 1-256 character string with no control characters and not only white space. */
export function isPrintableText(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= MAX_TEXT_LENGTH &&
    NON_SPACE.test(value) &&
    !CONTROL_CHARACTERS.test(value)
  );
}
