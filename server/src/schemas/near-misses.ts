// Hints for field names that nearly match: "email is not an accepted field; did you mean
// user_email?". A schema names the words people mistake for its fields in a meta; other
// spellings of a field (userEmail, User-Email) and typos (room_nme) are found here. A hint
// only ever names a field of the same object.

/**
 * The key of an object schema's `.meta()` that maps words mistaken for its fields, in
 * snake_case (`email`), to the field meant (`user_email`). /openapi.json ignores it.
 */
export const NEAR_MISSES_META = 'nearMisses';

/** Keys longer than this get no hint: no field is near them, and the work stays bounded. */
const MAX_HINTED_KEY_LENGTH = 64;
/** The most single-character edits (insert, delete, replace) between a typo and its field. */
const MAX_TYPO_EDITS = 2;

/** A key in snake_case, lower case: `userEmail`, `User-Email` and `USER_EMAIL` → `user_email`. */
export function snakeCaseOf(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s.]+/g, '_')
    .toLowerCase();
}

/**
 * The Levenshtein distance between two strings, or `max + 1` once it is certainly more than
 * `max`. Hand-written rather than a dependency: it runs only for unknown keys a 400 words
 * (at most 20 per request), against the dozen fields of one object, each under 64 characters.
 */
export function editDistance(from: string, to: string, max: number): number {
  if (Math.abs(from.length - to.length) > max) return max + 1;
  let previous = Array.from({ length: to.length + 1 }, (_, index) => index);
  for (let row = 1; row <= from.length; row += 1) {
    const current = [row];
    let rowMinimum = row;
    for (let column = 1; column <= to.length; column += 1) {
      const replaced = (previous[column - 1] ?? 0) + (from[row - 1] === to[column - 1] ? 0 : 1);
      const distance = Math.min(
        (previous[column] ?? 0) + 1,
        (current[column - 1] ?? 0) + 1,
        replaced,
      );
      current.push(distance);
      rowMinimum = Math.min(rowMinimum, distance);
    }
    if (rowMinimum > max) return max + 1;
    previous = current;
  }
  return previous[to.length] ?? max + 1;
}

/**
 * The field of an object that an unknown key most likely meant, if any: the same name spelt
 * otherwise (userEmail, User-Email), a word the schema names as a near miss (email), or the
 * closest field within two edits, case aside (room_nme); the first declared wins a tie.
 */
export function nearestField(
  key: string,
  fields: readonly string[],
  nearMisses: ReadonlyMap<string, string>,
): string | undefined {
  if (key.length > MAX_HINTED_KEY_LENGTH) return undefined;
  const spelled = snakeCaseOf(key);
  if (fields.includes(spelled)) return spelled;
  const meant = nearMisses.get(spelled);
  if (meant !== undefined) return meant;
  let nearest: string | undefined;
  let nearestDistance = MAX_TYPO_EDITS + 1;
  for (const field of fields) {
    const distance = editDistance(spelled, field, MAX_TYPO_EDITS);
    if (distance < nearestDistance) {
      nearest = field;
      nearestDistance = distance;
    }
  }
  return nearest;
}
