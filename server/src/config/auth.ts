// The caller authentication section: AUTH_MODE, the API keys trusted backends send, and
// how login JWTs are verified (JWKS or shared secret, issuer, audience, claims).
import {
  commaOrLineList,
  gotValue,
  isWholeNumber,
  parseUrl,
  read,
  readSecret,
  sectionVariables,
  type ParseContext,
} from './env';
import { withoutCredentials } from '../logger';
import { MIN_SECRET_LENGTH } from './livekit';

export const AUTH_VARIABLES = sectionVariables('auth', [
  { name: 'AUTH_MODE', description: 'How callers prove who they are: none, api-key or jwt' },
  {
    name: 'TOKEN_SERVER_API_KEYS',
    secret: true,
    file: true,
    description: 'api-key mode: the keys trusted backends send, separated by commas or newlines',
  },
  { name: 'AUTH_JWKS_URL', description: "jwt mode: the login provider's JWKS (RS256/ES256)" },
  {
    name: 'AUTH_JWT_SECRET',
    secret: true,
    file: true,
    description: 'jwt mode: the HS256 secret of login JWTs, instead of a JWKS',
  },
  {
    name: 'AUTH_JWKS_TIMEOUT_MS',
    description: 'jwt mode: longest one JWKS fetch may take, in milliseconds (default 5000)',
  },
  { name: 'AUTH_ISSUER', description: 'jwt mode: the required iss of login JWTs' },
  { name: 'AUTH_AUDIENCE', description: 'jwt mode: the required aud of login JWTs' },
  { name: 'AUTH_IDENTITY_CLAIM', description: 'jwt mode: the claim holding the identity (sub)' },
  { name: 'AUTH_ROLES_CLAIM', description: 'jwt mode: the claim listing the roles a login has' },
]);

/** Caller authentication modes, chosen with AUTH_MODE. */
export type AuthMode = 'none' | 'api-key' | 'jwt';

/** Settings for verifying callers' login JWTs. */
export interface JwtAuthConfig {
  mode: 'jwt';
  /** Where the login provider publishes its RS256/ES256 keys, or undefined with a secret. */
  jwksUrl: string | undefined;
  /** Longest one fetch of the JWKS may take, headers and body, in milliseconds. */
  jwksTimeoutMs: number;
  /** The HS256 secret of the login's session JWTs, or undefined with a JWKS URL. */
  jwtSecret: string | undefined;
  /** Required `iss` of caller JWTs. */
  issuer: string;
  /** Required `aud` of caller JWTs. */
  audience: string;
  /** The claim whose value becomes the LiveKit identity. */
  identityClaim: string;
  /** The claim (a dotted path) listing the roles a login may ask for, if any. */
  rolesClaim: string | undefined;
}

/** Caller authentication settings. */
export type AuthConfig = (
  | { mode: 'none' }
  | {
      mode: 'api-key';
      /** Keys trusted backends send as Bearer or X-API-Key. Never logged. */
      callerApiKeys: string[];
    }
  | JwtAuthConfig
) & {
  /** Variables of another AUTH_MODE that are set, and that this mode ignores. */
  ignoredVariables?: readonly string[];
};

/** The variables each mode reads beyond AUTH_MODE (each also as `<name>_FILE` if secret). */
const MODE_VARIABLES: Readonly<Record<Exclude<AuthMode, 'none'>, readonly string[]>> = {
  'api-key': ['TOKEN_SERVER_API_KEYS', 'TOKEN_SERVER_API_KEYS_FILE'],
  jwt: [
    'AUTH_JWKS_URL',
    'AUTH_JWT_SECRET',
    'AUTH_JWT_SECRET_FILE',
    'AUTH_JWKS_TIMEOUT_MS',
    'AUTH_ISSUER',
    'AUTH_AUDIENCE',
    'AUTH_IDENTITY_CLAIM',
    'AUTH_ROLES_CLAIM',
  ],
};

/** The variables of other modes that are set: an operator may think them in force. */
function ignoredVariablesOf(env: ParseContext['env'], mode: AuthMode): string[] {
  return Object.entries(MODE_VARIABLES)
    .filter(([other]) => other !== mode)
    .flatMap(([, names]) => names)
    .filter((name) => read(env, name) !== undefined);
}

/** True for a URL on this machine's loopback interface. */
function isLoopbackUrl(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function parseAuthMode({ env, production, problems }: ParseContext): AuthMode {
  const raw = read(env, 'AUTH_MODE');
  if (raw === undefined) {
    if (production) {
      problems.push(
        'AUTH_MODE must be set explicitly when NODE_ENV=production (none, api-key or jwt), so that no endpoint is open by accident',
      );
    }
    return 'none';
  }
  if (raw === 'none' || raw === 'api-key' || raw === 'jwt') return raw;
  problems.push(`AUTH_MODE must be none, api-key or jwt ${gotValue(raw, /^[a-z-]+$/i)}`);
  return 'none';
}

function parseCallerApiKeys(raw: string | null | undefined, problems: string[]): string[] {
  if (raw === null) return [];
  const keys = commaOrLineList(raw ?? '');
  if (keys.length === 0) {
    problems.push(
      'TOKEN_SERVER_API_KEYS (or TOKEN_SERVER_API_KEYS_FILE) must list at least one key when AUTH_MODE=api-key',
    );
  }
  keys.forEach((key, index) => {
    const which = `key ${index + 1} of ${keys.length}`;
    // Most often several keys separated by spaces, which would otherwise become one key.
    if (/\s/.test(key)) {
      problems.push(
        `TOKEN_SERVER_API_KEYS: ${which} contains white space; separate keys with commas or newlines`,
      );
    } else if (key.length < MIN_SECRET_LENGTH) {
      problems.push(
        `TOKEN_SERVER_API_KEYS: ${which} is shorter than ${MIN_SECRET_LENGTH} characters`,
      );
    }
  });
  return keys;
}

const HTTP_URL_SCHEMES = {
  protocols: ['http:', 'https:'],
  description: 'an http:// or https:// URL',
};

/** The default JWKS fetch timeout, and the range an operator may set. */
const DEFAULT_JWKS_TIMEOUT_MS = 5_000;
const MIN_JWKS_TIMEOUT_MS = 100;
const MAX_JWKS_TIMEOUT_MS = 60_000;

function parseJwksTimeout(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return DEFAULT_JWKS_TIMEOUT_MS;
  const milliseconds = Number(raw);
  if (
    !isWholeNumber(raw) ||
    milliseconds < MIN_JWKS_TIMEOUT_MS ||
    milliseconds > MAX_JWKS_TIMEOUT_MS
  ) {
    problems.push(
      `AUTH_JWKS_TIMEOUT_MS must be a whole number of milliseconds from ${MIN_JWKS_TIMEOUT_MS} to ${MAX_JWKS_TIMEOUT_MS}`,
    );
    return DEFAULT_JWKS_TIMEOUT_MS;
  }
  return milliseconds;
}

function parseJwtAuth(context: ParseContext): JwtAuthConfig {
  const { env, problems } = context;
  const rawJwksUrl = read(env, 'AUTH_JWKS_URL');
  const jwtSecret = readSecret(context, 'AUTH_JWT_SECRET');
  if ((rawJwksUrl === undefined) === (jwtSecret === undefined)) {
    problems.push(
      'AUTH_MODE=jwt needs exactly one of AUTH_JWKS_URL (RS256/ES256 keys) or AUTH_JWT_SECRET (HS256)',
    );
  }
  if (typeof jwtSecret === 'string' && jwtSecret.length < MIN_SECRET_LENGTH) {
    problems.push(`AUTH_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters long`);
  }
  const jwksUrl =
    rawJwksUrl === undefined
      ? undefined
      : parseUrl('AUTH_JWKS_URL', rawJwksUrl, HTTP_URL_SCHEMES, problems);
  // Keys fetched over plain http can be swapped on the way, and every login forged with them.
  if (context.production && jwksUrl?.startsWith('http:') && !isLoopbackUrl(jwksUrl)) {
    problems.push(
      'AUTH_JWKS_URL must use https:// when NODE_ENV=production (plain http lets anyone on the way swap the keys and sign logins); http:// is accepted only for a JWKS on this machine (localhost, 127.0.0.1, [::1])',
    );
  }
  const issuer = read(env, 'AUTH_ISSUER');
  const audience = read(env, 'AUTH_AUDIENCE');
  for (const [name, value] of [
    ['AUTH_ISSUER', issuer],
    ['AUTH_AUDIENCE', audience],
  ] as const) {
    if (value === undefined) problems.push(`${name} must be set when AUTH_MODE=jwt`);
  }
  return {
    mode: 'jwt',
    jwksUrl,
    jwksTimeoutMs: parseJwksTimeout(read(env, 'AUTH_JWKS_TIMEOUT_MS'), problems),
    jwtSecret: jwtSecret ?? undefined,
    issuer: issuer ?? '',
    audience: audience ?? '',
    identityClaim: read(env, 'AUTH_IDENTITY_CLAIM') ?? 'sub',
    rolesClaim: read(env, 'AUTH_ROLES_CLAIM'),
  };
}

/** Reads the caller authentication section. */
export function parseAuth(context: ParseContext): AuthConfig {
  const mode = parseAuthMode(context);
  const ignored = ignoredVariablesOf(context.env, mode);
  const ignoredVariables = ignored.length > 0 ? { ignoredVariables: ignored } : {};
  if (mode === 'none') return { mode, ...ignoredVariables };
  if (mode === 'api-key') {
    return {
      mode,
      callerApiKeys: parseCallerApiKeys(
        readSecret(context, 'TOKEN_SERVER_API_KEYS'),
        context.problems,
      ),
      ...ignoredVariables,
    };
  }
  return { ...parseJwtAuth(context), ...ignoredVariables };
}

/** Start-up warnings about caller authentication that works but should not ship. */
export function authWarnings(auth: AuthConfig): string[] {
  const warnings: string[] = [];
  if (auth.mode === 'none') {
    warnings.push(
      'AUTH_MODE is none: anyone who can reach /token can get a token for any identity in any room. Set AUTH_MODE=api-key or jwt unless a gateway in front authenticates callers.',
    );
  }
  if (auth.mode === 'jwt' && auth.jwksUrl?.startsWith('http:') && !isLoopbackUrl(auth.jwksUrl)) {
    warnings.push(
      'AUTH_JWKS_URL uses plain http: the keys can be tampered with on the way (production refuses it).',
    );
  }
  if (auth.ignoredVariables !== undefined) {
    warnings.push(
      `${auth.ignoredVariables.join(', ')} ${auth.ignoredVariables.length === 1 ? 'is' : 'are'} set, but AUTH_MODE=${auth.mode} does not read ${auth.ignoredVariables.length === 1 ? 'it' : 'them'}: ${auth.mode === 'none' ? 'callers go unchecked' : 'only the ' + auth.mode + ' settings apply'}. Set AUTH_MODE to the mode you meant, or remove ${auth.ignoredVariables.length === 1 ? 'it' : 'them'}.`,
    );
  }
  return warnings;
}

/** The authentication settings as printed at start-up: counts and URLs, never keys. */
export function describeAuth(auth: AuthConfig): Record<string, string | number> {
  switch (auth.mode) {
    case 'none':
      return { auth_mode: 'none' };
    case 'api-key':
      return { auth_mode: 'api-key', api_keys: auth.callerApiKeys.length };
    case 'jwt':
      return {
        auth_mode: 'jwt',
        auth_keys:
          auth.jwksUrl === undefined ? 'AUTH_JWT_SECRET (HS256)' : withoutCredentials(auth.jwksUrl),
        auth_jwks_timeout_ms: auth.jwksTimeoutMs,
        auth_issuer: auth.issuer,
        auth_audience: auth.audience,
        auth_identity_claim: auth.identityClaim,
        auth_roles_claim: auth.rolesClaim ?? '(none)',
      };
  }
}
