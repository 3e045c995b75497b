// Variables that look like ours but that no program here reads: most often a typo, such as
// AUTH_MOD=api-key, which would otherwise leave the server open without a word. Kept apart
// from loadConfig, which reads only what it is given: the entry point knows which names
// came from `.env`.
import { read, type Env } from './env';
import { CONFIG_VARIABLES } from './index';

/**
 * Names other programs read from the same environment or `.env`: known, never reported.
 * Each is here for a reason that can be checked; add none on a guess.
 */
const OTHER_PROGRAMS_VARIABLES = [
  // The request-token CLI reads these from the same .env (client-cli/src/environment.ts).
  'TOKEN_SERVER_URL',
  'TOKEN_SERVER_API_KEY',
  'TOKEN_SERVER_BEARER',
  // request-token --env prints a LIVEKIT_TOKEN=... line, for eval or an .env file.
  'LIVEKIT_TOKEN',
  // livekit-server reads these from its environment (cmd/server/main.go in livekit/livekit),
  // and a Docker Compose file may give it the same .env.
  'LIVEKIT_CONFIG',
  'LIVEKIT_REGION',
  'LIVEKIT_TURN_CERT',
  'LIVEKIT_TURN_KEY',
];

/**
 * Prefixes of whole families of our names, beyond those the variable table gives: families
 * with a single variable today (CORS_, ROLES_), and sections to come.
 */
const FAMILY_PREFIXES = [
  'LIVEKIT_',
  'AUTH_',
  'CORS_',
  'ROLES_',
  'REDIS_',
  'METRICS_',
  'SHUTDOWN_',
  'DOCS',
];

/** Every name the server reads, and every name other programs read from its .env. */
const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  ...CONFIG_VARIABLES.map(({ name }) => name),
  ...OTHER_PROGRAMS_VARIABLES,
]);

/**
 * What makes a name look like ours: the first two words of each variable we read
 * (TOKEN_SERVER, RATE_LIMIT, ROOM_NAME, TRUST_PROXY...), and the families above. One-word
 * names such as PORT give no prefix: PORTAL_URL is not ours.
 */
const OUR_PREFIXES: readonly string[] = [
  ...new Set([
    ...CONFIG_VARIABLES.map(({ name }) => name.split('_'))
      .filter((words) => words.length >= 2)
      .map((words) => words.slice(0, 2).join('_')),
    ...FAMILY_PREFIXES,
  ]),
];

/** A variable that looks like one of ours, but that nothing here reads. */
export interface UnknownVariable {
  name: string;
  /** True when `.env` sets it (the real environment may set it too). */
  fromDotenv: boolean;
  /** The known name nearest to it, when near enough to be what was meant. */
  suggestion: string | undefined;
}

/**
 * Levenshtein distance: the fewest one-character insertions, deletions and substitutions
 * that turn `a` into `b`. A dozen lines run once at start-up on a few dozen names: not
 * worth a dependency.
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Typos this close to a known name look like ours whatever their prefix: PUBLIC_ROLE. */
const TYPO_DISTANCE = 2;

/** Names shorter than this are never taken for typos of ours: HOST is not PORT. */
const MIN_TYPO_LENGTH = 8;

/**
 * The known name nearest to `name` (in upper case), when near enough to be what was meant:
 * at most about a third of it differs, or it is the start of the known name (RATE_LIMIT
 * for RATE_LIMIT_PER_MINUTE). Ties go to the first in the table.
 */
function nearestKnownName(upper: string): { name: string; distance: number } | undefined {
  const threshold = Math.max(TYPO_DISTANCE, Math.floor(upper.length / 3));
  let nearest: { name: string; distance: number } | undefined;
  for (const known of KNOWN_VARIABLES) {
    const distance = editDistance(upper, known);
    const near = distance <= threshold || known.startsWith(upper);
    if (near && (nearest === undefined || distance < nearest.distance)) {
      nearest = { name: known, distance };
    }
  }
  return nearest;
}

/**
 * Every set variable that looks like ours, but that neither the server nor a program sharing
 * its .env reads, with the nearest real name. A name looks like ours when it starts like one
 * of ours, in any case (auth_mode is not AUTH_MODE), or is a typo away from one
 * (PUBLIC_ROLE). Blank variables are skipped, as the server treats them as unset.
 * `dotenvNames` are the names `.env` holds.
 */
export function findUnknownVariables(
  env: Env,
  dotenvNames: Iterable<string> = [],
): UnknownVariable[] {
  const fromDotenv = new Set(dotenvNames);
  return Object.keys(env)
    .filter((name) => read(env, name) !== undefined && !KNOWN_VARIABLES.has(name))
    .sort()
    .flatMap((name) => {
      const upper = name.toUpperCase();
      const nearest = nearestKnownName(upper);
      const looksLikeOurs =
        OUR_PREFIXES.some((prefix) => upper.startsWith(prefix)) ||
        (name.length >= MIN_TYPO_LENGTH &&
          nearest !== undefined &&
          nearest.distance <= TYPO_DISTANCE);
      return looksLikeOurs
        ? [{ name, fromDotenv: fromDotenv.has(name), suggestion: nearest?.name }]
        : [];
    });
}

function explain({ name, suggestion }: UnknownVariable): string {
  return `${name} is not a variable this server reads${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}`;
}

/** What start-up does about unknown variables: problems stop it, warnings are printed. */
export interface UnknownVariableReport {
  problems: string[];
  warnings: string[];
}

/**
 * Outside production, a warning for each unknown variable. In production, those set in
 * `.env` stop the start, in one problem listing them all: `.env` is written by hand for
 * this server, so a typo there is a mistake. Those only in the real environment are still
 * only warned about, since hosting platforms inject variables of their own.
 */
export function unknownVariableReport(
  env: Env,
  dotenvNames: Iterable<string> = [],
): UnknownVariableReport {
  const unknown = findUnknownVariables(env, dotenvNames);
  if (read(env, 'NODE_ENV') !== 'production') {
    return { problems: [], warnings: unknown.map(explain) };
  }
  const refused = unknown.filter(({ fromDotenv }) => fromDotenv);
  return {
    problems:
      refused.length === 0
        ? []
        : [
            `.env sets variables this server does not read, which NODE_ENV=production refuses: ${refused
              .map(({ name, suggestion }) =>
                suggestion === undefined ? name : `${name} (did you mean ${suggestion}?)`,
              )
              .join(', ')}`,
          ],
    warnings: unknown.filter(({ fromDotenv }) => !fromDotenv).map(explain),
  };
}
