// The lines of --env, LIVEKIT_URL=... and LIVEKIT_TOKEN=..., which two readers must both read
// back exactly: `eval` in a POSIX shell, and dotenv for a .env file (`request-token --env >>
// .env`, which the token server itself may read). Their quoting differs: dotenv does not undo
// the shell's '\'' and keeps a backslash before a quote, and a line break in any quoting ends
// the line for one reader but not the other, which let a hostile server_url append
// AUTH_MODE=none to the server's own .env. So a value is written only in a form both read
// the same, and only if it holds a URL's characters; anything else is refused.

/** The characters of a URL (RFC 3986: unreserved, reserved and %), one or more. */
const URL_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;

/**
 * Characters that neither sh nor dotenv reads specially, written bare: no `#` (a comment to
 * dotenv), no `~` (expanded by sh after `=` or `:`), nothing sh would expand or split on.
 */
const BARE = /^[A-Za-z0-9_.:/@%+=,-]+$/;

/**
 * A value that --env cannot write so that both a shell and a .env file read it back exactly:
 * not one of a URL's characters, or both `'` and `$`. Nothing was printed.
 */
export class UnwritableEnvValueError extends Error {
  constructor(
    /** The variable whose value it is, e.g. LIVEKIT_URL. */
    readonly variable: string,
  ) {
    super(`--env cannot write the value of ${variable} safely.`);
    this.name = 'UnwritableEnvValueError';
  }
}

/**
 * `value` as the right-hand side of NAME=value that sh and dotenv both read back as `value`,
 * or undefined when there is none: bare when it needs no quotes; in single quotes when it holds
 * no `'` (both take everything in them literally, and a URL holds no line break); in double
 * quotes when it holds a `'` but no `$` (a URL holds no `"`, backslash or backquote, the other
 * characters sh reads in double quotes, and dotenv expands only a backslash's \n and \r).
 */
export function envValue(value: string): string | undefined {
  if (!URL_CHARACTERS.test(value)) return undefined;
  if (BARE.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('$')) return `"${value}"`;
  return undefined;
}

/**
 * NAME=value lines, one per variable, in order. Throws UnwritableEnvValueError, naming the
 * first variable whose value envValue cannot write.
 */
export function envLines(variables: ReadonlyArray<readonly [name: string, value: string]>): string {
  return variables
    .map(([name, value]) => {
      const written = envValue(value);
      if (written === undefined) throw new UnwritableEnvValueError(name);
      return `${name}=${written}\n`;
    })
    .join('');
}
