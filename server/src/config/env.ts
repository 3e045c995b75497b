// Reading environment variables: blanks as unset, comma lists, whole numbers, URLs, and
// secrets that may come from a file named by NAME_FILE. Every config section reads through
// these, so that each variable is read the same way and no value that could be a secret
// ever reaches a message.
import { MAX_SECRET_FILE_BYTES, readFileFromDisk, UnusableFileError } from './files';

export { readFileFromDisk };

/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

/**
 * Reads a named file's contents, refusing one over `maxBytes` bytes; injectable so tests need
 * no files. Throws UnusableFileError, or an error with Node's `code`, when it cannot.
 */
export type SecretFileReader = (path: string, maxBytes: number) => string;

/** What every section parser gets: the variables, and where to report problems. */
export interface ParseContext {
  env: Env;
  /** True when NODE_ENV is `production`: several defaults then refuse to start. */
  production: boolean;
  /** Every problem found so far; loadConfig throws them together. */
  problems: string[];
  readFile: SecretFileReader;
}

/** The parts of the configuration, as the variable table names them. */
export type SectionName =
  | 'general'
  | 'http'
  | 'livekit'
  | 'auth'
  | 'limits'
  | 'redis'
  | 'moderation'
  | 'invites'
  | 'roles'
  | 'docs'
  | 'runtime'
  | 'metrics';

/** One variable the server reads. */
export interface ConfigVariable {
  name: string;
  section: SectionName;
  /** True for a value that must never be printed, logged or echoed in an error. */
  secret: boolean;
  /** What it sets, in one line. */
  description: string;
}

/** Declares a section's variables; a secret's `NAME_FILE` twin is listed with it. */
export function sectionVariables(
  section: SectionName,
  variables: ReadonlyArray<{ name: string; secret?: boolean; file?: boolean; description: string }>,
): ConfigVariable[] {
  return variables.flatMap(({ name, secret = false, file = false, description }) => [
    { name, section, secret, description },
    ...(file
      ? [{ name: `${name}_FILE`, section, secret: false, description: `A file holding ${name}` }]
      : []),
  ]);
}

/** Reads a variable, treating empty or blank values as unset. */
export function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A comma list, trimmed, without empty entries. */
export function commaList(raw: string): string[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** A list separated by commas or newlines (as secret files hold them), trimmed, no empties. */
export function commaOrLineList(raw: string): string[] {
  return raw
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** True for digits only: no sign, no decimals, no exponent. */
export function isWholeNumber(raw: string): boolean {
  return /^\d+$/.test(raw);
}

/** Longest value a problem quotes: a longer one could be a secret pasted into the wrong place. */
const MAX_QUOTED_LENGTH = 20;

/** The characters of a number as people write one, right or wrong: `80`, `-1`, `1.5`, `1e3`. */
export const NUMBER_CHARACTERS = /^[\d.eE+-]+$/;

/**
 * True when a refused value may appear in a problem: short, and made only of the characters
 * the variable expects (`expected` matches the whole value), so that it cannot be a secret
 * pasted into the wrong variable. Problems never show any other value.
 */
export function isQuotable(raw: string, expected: RegExp): boolean {
  return raw.length <= MAX_QUOTED_LENGTH && expected.test(raw);
}

/** How a problem ends that shows the refused value when it may: `(got "abc")`. */
export function gotValue(raw: string, expected: RegExp): string {
  return isQuotable(raw, expected) ? `(got "${raw}")` : '(the value is not shown)';
}

/** The URL schemes a variable accepts, and how a problem describes them. */
export interface UrlSchemes {
  protocols: string[];
  description: string;
}

/**
 * A URL with one of the given schemes, or a problem naming the variable. The problem never
 * shows the value, only its scheme: a URL may carry a password or a key, and a secret pasted
 * here may itself parse as a URL (`key:secret` is the scheme `key:` and the path `secret`).
 */
export function parseUrl(
  name: string,
  raw: string,
  schemes: UrlSchemes,
  problems: string[],
): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(
      `${name} must be ${schemes.description}; the value is not a URL (is its scheme missing?) and is not shown`,
    );
    return undefined;
  }
  if (schemes.protocols.includes(url.protocol)) return raw;
  const scheme = isQuotable(url.protocol, /^[a-z][a-z\d+.-]*:$/)
    ? `the scheme ${url.protocol}`
    : 'another scheme';
  problems.push(`${name} must be ${schemes.description}, not a URL with ${scheme}`);
  return undefined;
}

/**
 * Reads the file that `variable` names, of at most `maxBytes` bytes. When it cannot, reports
 * why in one problem naming the variable and the path (never any of the contents), and
 * answers undefined.
 */
export function readNamedFile(
  { problems, readFile }: ParseContext,
  variable: string,
  path: string,
  maxBytes: number,
): string | undefined {
  try {
    return readFile(path, maxBytes);
  } catch (error) {
    if (error instanceof UnusableFileError) {
      problems.push(`${variable} names ${error.message} (${path})`);
    } else {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${variable} names a file that cannot be read (${path}: ${code})`);
    }
    return undefined;
  }
}

/**
 * Reads a variable that may instead come from a file named by NAME_FILE, as container
 * secrets are mounted (a regular file of at most MAX_SECRET_FILE_BYTES). Never puts the value into a problem message. Answers null when the
 * variable was given but cannot be used (the problem is already reported), so that callers
 * do not report it missing as well.
 */
export function readSecret(context: ParseContext, name: string): string | null | undefined {
  const { env, problems } = context;
  const direct = read(env, name);
  const file = read(env, `${name}_FILE`);
  if (file === undefined) return direct;
  if (direct !== undefined) {
    problems.push(`${name} and ${name}_FILE are both set: set one`);
    return null;
  }
  const contents = readNamedFile(context, `${name}_FILE`, file, MAX_SECRET_FILE_BYTES)?.trim();
  if (contents === undefined) return null;
  if (contents === '') {
    problems.push(`${name}_FILE names an empty file (${file})`);
    return null;
  }
  return contents;
}

/** A whole number of `unit` in a range, its fallback when unset, or a problem naming the variable. */
export function wholeNumberIn(
  context: ParseContext,
  name: string,
  range: { min: number; max: number; fallback: number },
  unit: string,
): number {
  const raw = read(context.env, name);
  if (raw === undefined) return range.fallback;
  const value = Number(raw);
  if (!isWholeNumber(raw) || value < range.min || value > range.max) {
    context.problems.push(
      `${name} must be a whole number of ${unit} from ${range.min} to ${range.max}`,
    );
    return range.fallback;
  }
  return value;
}
