// What request-token says about a redirect, which it never follows: a redirect would carry the
// caller's credentials (X-API-Key, Authorization) and, for 307 and 308, the request body to
// whatever host the Location names, over plain HTTP too. Of the target, only its origin is
// ever shown: a Location's path, query or user info may hold a secret meant for someone else.

/**
 * The origin (scheme://host[:port]) that a `Location` header points to, read relative to
 * `requestUrl`; undefined when there is no Location, or it is not an http(s) URL.
 */
export function redirectOrigin(location: string | null, requestUrl: string): string | undefined {
  if (location === null || location.trim() === '') return undefined;
  let target: URL;
  try {
    target = new URL(location.trim(), requestUrl);
  } catch {
    return undefined;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return undefined;
  // URL's origin leaves out user info, path, query and fragment; the host is ASCII (punycode).
  return target.origin;
}
