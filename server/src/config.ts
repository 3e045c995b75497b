import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { BUILT_IN_ROLES, DEFAULT_ROLE, parseRolesFile, type RoleGrant } from './roles';
import { isPrintableText } from './validation';

/** LiveKit's development credentials, the pair that `livekit-server --dev` accepts. */
export const DEVELOPMENT_API_KEY = 'devkey';
export const DEVELOPMENT_API_SECRET = 'secret';

/** LiveKit servers refuse to start with API secrets shorter than this. */
export const MIN_SECRET_LENGTH = 32;

/** The longest token lifetime we accept, one year in hours: longer is a standing credential. */
export const MAX_TOKEN_EXPIRY_HOURS = 24 * 366;

const DEFAULT_CORS_ORIGINS = 'http://localhost:3000,http://localhost:3005';

/** Default budgets per caller and minute: enough for people, too few for a token farm. */
export const DEFAULT_TOKEN_RATE_LIMIT_PER_MINUTE = 60;
export const DEFAULT_VALIDATE_RATE_LIMIT_PER_MINUTE = 120;

/** The server's settings, read once at start-up. */
export interface Config {
  /** TCP port to listen on; 0 asks the OS for a free one. */
  port: number;
  /** Interface to bind. */
  host: string;
  /** Origins allowed to call us from a browser, or '*' for any origin. */
  corsOrigins: string[] | '*';
  /** Lifetime of each minted token, in seconds. */
  tokenTtlSeconds: number;
  /** LiveKit API key: the `iss` of our tokens. */
  apiKey: string;
  /** LiveKit API secret: the HS256 key. Never logged or returned. */
  apiSecret: string;
  /** The LiveKit server's URL, returned to clients as `server_url`. */
  livekitUrl: string | undefined;
  /** True when no credentials were given and LiveKit's development pair is in use. */
  usingDevelopmentCredentials: boolean;
  /** True when NODE_ENV is `production`. */
  production: boolean;
  /** Every LiveKit key accepted by /validate, API key to secret; includes `apiKey`. */
  livekitKeys: ReadonlyMap<string, string>;
  /** How callers of /token and /validate prove who they are. */
  auth: AuthConfig;
  /** Room names callers may ask for must match this whole; undefined allows any. */
  roomNamePattern: RegExp | undefined;
  /** Requests per minute and caller to /token; 0 turns the limit off. */
  tokenRateLimitPerMinute: number;
  /** Requests per minute and caller to /validate; 0 turns the limit off. */
  validateRateLimitPerMinute: number;
  /** Express `trust proxy`: which proxies' X-Forwarded-For to believe for client IPs. */
  trustProxy: boolean | number | string[];
  /** Every role a request may name, role name to its grant: built in and from ROLES_FILE. */
  roles: ReadonlyMap<string, RoleGrant>;
  /** Roles any caller may ask for, anonymous ones included. */
  publicRoles: ReadonlySet<string>;
  /** The role of a request that names none. */
  defaultRole: string;
  /** Agents a token may dispatch; undefined allows any. */
  agentNames: ReadonlySet<string> | undefined;
}

/** Caller authentication modes, chosen with AUTH_MODE. */
export type AuthMode = 'none' | 'api-key' | 'jwt';

/** Caller authentication settings. */
export type AuthConfig =
  | { mode: 'none' }
  | {
      mode: 'api-key';
      /** Keys trusted backends send as Bearer or X-API-Key. Never logged. */
      apiKeys: string[];
    }
  | {
      mode: 'jwt';
      /** Where the login provider publishes its RS256/ES256 keys, or undefined with a secret. */
      jwksUrl: string | undefined;
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
    };

/** Thrown by loadConfig with every problem found, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads a variable, treating empty or blank values as unset. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A comma list, trimmed, without empty entries. */
function commaList(raw: string): string[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function parsePort(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return 8002;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    problems.push(`TOKEN_SERVER_PORT must be a whole number from 0 to 65535 (got "${raw}")`);
    return 0;
  }
  return port;
}

function parseExpiry(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return 24 * 3600;
  const hours = Number(raw);
  if (!Number.isFinite(hours) || hours <= 0 || hours > MAX_TOKEN_EXPIRY_HOURS) {
    problems.push(
      `TOKEN_EXPIRY_HOURS must be a number of hours above 0 and at most ${MAX_TOKEN_EXPIRY_HOURS} (got "${raw}")`,
    );
    return 0;
  }
  const seconds = Math.round(hours * 3600);
  if (seconds < 1) {
    problems.push(`TOKEN_EXPIRY_HOURS must amount to at least one second (got "${raw}")`);
  }
  return seconds;
}

/** An origin as browsers send it: scheme, host and optional port, nothing else. */
function isOrigin(candidate: string): boolean {
  try {
    const url = new URL(candidate);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === candidate;
  } catch {
    return false;
  }
}

function parseCorsOrigins(raw: string | undefined, problems: string[]): string[] | '*' {
  const entries = commaList(raw ?? DEFAULT_CORS_ORIGINS);
  if (entries.length === 1 && entries[0] === '*') return '*';
  const malformed = entries.filter((entry) => !isOrigin(entry));
  if (malformed.length > 0) {
    problems.push(
      `CORS_ORIGINS must be "*" or a comma list of origins like https://app.example.com (no path, no trailing slash); bad: ${malformed.map((entry) => `"${entry}"`).join(', ')}`,
    );
  }
  return entries;
}

/** A URL with one of the given schemes, or a problem naming the variable. */
function parseUrl(
  name: string,
  raw: string,
  schemes: { protocols: string[]; description: string },
  problems: string[],
): string | undefined {
  try {
    if (schemes.protocols.includes(new URL(raw).protocol)) return raw;
  } catch {
    // Reported below, like a URL with the wrong scheme.
  }
  problems.push(`${name} must be ${schemes.description} (got "${raw}")`);
  return undefined;
}

const LIVEKIT_URL_SCHEMES = {
  protocols: ['ws:', 'wss:', 'http:', 'https:'],
  description: 'a ws://, wss://, http:// or https:// URL',
};
const HTTP_URL_SCHEMES = {
  protocols: ['http:', 'https:'],
  description: 'an http:// or https:// URL',
};

/** Reads a secret file's contents; injectable so tests need no files. */
export type SecretFileReader = (path: string) => string;

const readSecretFileFromDisk: SecretFileReader = (path) => readFileSync(path, 'utf8');

/**
 * Reads a variable that may instead come from a file named by NAME_FILE, as container
 * secrets are mounted. Never puts the value into a problem message. Answers null when the
 * variable was given but cannot be used (the problem is already reported), so that callers
 * do not report it missing as well.
 */
function readSecret(
  env: Env,
  name: string,
  problems: string[],
  readFile: SecretFileReader,
): string | null | undefined {
  const direct = read(env, name);
  const file = read(env, `${name}_FILE`);
  if (file === undefined) return direct;
  if (direct !== undefined) {
    problems.push(`${name} and ${name}_FILE are both set: set one`);
    return null;
  }
  let contents: string;
  try {
    contents = readFile(file).trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`${name}_FILE names a file that cannot be read (${file}: ${code})`);
    return null;
  }
  if (contents === '') {
    problems.push(`${name}_FILE names an empty file (${file})`);
    return null;
  }
  return contents;
}

/** Parses LiveKit's `key: secret` list, entries separated by commas or newlines. */
function parseLivekitKeys(raw: string | null | undefined, problems: string[]): Map<string, string> {
  const keys = new Map<string, string>();
  if (raw === undefined || raw === null) return keys;
  const entries = raw
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const separator = entry.indexOf(':');
    const key = entry.slice(0, Math.max(separator, 0)).trim();
    const secret = entry.slice(separator + 1).trim();
    if (separator < 1 || key === '' || secret === '') {
      problems.push(`LIVEKIT_KEYS entry ${index + 1} is not of the form "key: secret"`);
    } else if (keys.has(key)) {
      problems.push(`LIVEKIT_KEYS lists the key ${key} twice`);
    } else {
      keys.set(key, secret);
    }
  });
  return keys;
}

function parseAuthMode(env: Env, production: boolean, problems: string[]): AuthMode {
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
  problems.push(`AUTH_MODE must be none, api-key or jwt (got "${raw}")`);
  return 'none';
}

function parseApiKeys(raw: string | null | undefined, problems: string[]): string[] {
  if (raw === null) return [];
  const keys = (raw ?? '')
    .split(/[,\n]/)
    .map((key) => key.trim())
    .filter((key) => key !== '');
  if (keys.length === 0) {
    problems.push(
      'TOKEN_SERVER_API_KEYS (or TOKEN_SERVER_API_KEYS_FILE) must list at least one key when AUTH_MODE=api-key',
    );
  }
  keys.forEach((key, index) => {
    if (key.length < MIN_SECRET_LENGTH) {
      problems.push(
        `TOKEN_SERVER_API_KEYS: key ${index + 1} of ${keys.length} is shorter than ${MIN_SECRET_LENGTH} characters`,
      );
    }
  });
  return keys;
}

function parseAuth(
  env: Env,
  production: boolean,
  problems: string[],
  readFile: SecretFileReader,
): AuthConfig {
  const mode = parseAuthMode(env, production, problems);
  if (mode === 'none') return { mode };
  if (mode === 'api-key') {
    return {
      mode,
      apiKeys: parseApiKeys(readSecret(env, 'TOKEN_SERVER_API_KEYS', problems, readFile), problems),
    };
  }
  const rawJwksUrl = read(env, 'AUTH_JWKS_URL');
  const jwtSecret = readSecret(env, 'AUTH_JWT_SECRET', problems, readFile);
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
  const issuer = read(env, 'AUTH_ISSUER');
  const audience = read(env, 'AUTH_AUDIENCE');
  for (const [name, value] of [
    ['AUTH_ISSUER', issuer],
    ['AUTH_AUDIENCE', audience],
  ] as const) {
    if (value === undefined) problems.push(`${name} must be set when AUTH_MODE=jwt`);
  }
  return {
    mode,
    jwksUrl,
    jwtSecret: jwtSecret ?? undefined,
    issuer: issuer ?? '',
    audience: audience ?? '',
    identityClaim: read(env, 'AUTH_IDENTITY_CLAIM') ?? 'sub',
    rolesClaim: read(env, 'AUTH_ROLES_CLAIM'),
  };
}

function parseRoomNamePattern(raw: string | undefined, problems: string[]): RegExp | undefined {
  if (raw === undefined) return undefined;
  try {
    // Anchored: the pattern must describe the whole room name, not any part of it.
    return new RegExp(`^(?:${raw})$`, 'u');
  } catch {
    problems.push(`ROOM_NAME_PATTERN is not a valid regular expression (got "${raw}")`);
    return undefined;
  }
}

function parseRateLimit(
  name: string,
  raw: string | undefined,
  fallback: number,
  problems: string[],
): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) {
    problems.push(`${name} must be a whole number of requests, 0 for no limit (got "${raw}")`);
    return fallback;
  }
  return Number(raw);
}

/** Named address ranges that Express's `trust proxy` understands. */
const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrSubnet(entry: string): boolean {
  if (TRUST_PROXY_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  if (rest.length > 0 || isIP(address) === 0) return false;
  if (prefix === undefined) return true;
  const bits = isIP(address) === 4 ? 32 : 128;
  return /^\d+$/.test(prefix) && Number(prefix) <= bits;
}

function parseTrustProxy(raw: string | undefined, problems: string[]): boolean | number | string[] {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isAddressOrSubnet(entry));
  if (bad.length > 0) {
    problems.push(
      `TRUST_PROXY must be true, false, a number of proxy hops, or a comma list of addresses, subnets, loopback, linklocal or uniquelocal; bad: ${bad.map((entry) => `"${entry}"`).join(', ')}`,
    );
  }
  return entries;
}

interface Roles {
  roles: ReadonlyMap<string, RoleGrant>;
  publicRoles: ReadonlySet<string>;
  defaultRole: string;
}

function parseRoles(env: Env, problems: string[], readFile: SecretFileReader): Roles {
  const rolesFile = read(env, 'ROLES_FILE');
  let roles: ReadonlyMap<string, RoleGrant> = BUILT_IN_ROLES;
  if (rolesFile !== undefined) {
    try {
      roles = parseRolesFile(readFile(rolesFile), problems);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`ROLES_FILE names a file that cannot be read (${rolesFile}: ${code})`);
    }
  }
  const rawPublicRoles = read(env, 'PUBLIC_ROLES') ?? 'participant,viewer';
  // `none`: anonymous callers get no token at all, logins only the roles their claim lists.
  const publicRoles = rawPublicRoles === 'none' ? [] : commaList(rawPublicRoles);
  const unknownPublicRoles = publicRoles.filter((name) => !roles.has(name));
  if (unknownPublicRoles.length > 0) {
    problems.push(
      `PUBLIC_ROLES names roles that are neither built in nor in ROLES_FILE: ${unknownPublicRoles.join(', ')}`,
    );
  }
  const defaultRole = read(env, 'DEFAULT_ROLE') ?? DEFAULT_ROLE;
  if (!roles.has(defaultRole)) {
    problems.push(`DEFAULT_ROLE "${defaultRole}" is neither built in nor in ROLES_FILE`);
  }
  return { roles, publicRoles: new Set(publicRoles), defaultRole };
}

function parseAgentNames(raw: string | undefined, problems: string[]): Set<string> | undefined {
  if (raw === undefined) return undefined;
  const names = commaList(raw);
  if (names.length === 0 || !names.every(isPrintableText)) {
    problems.push('AGENT_NAMES must be a comma list of agent names');
  }
  return new Set(names);
}

interface Credentials {
  apiKey: string;
  apiSecret: string;
  usingDevelopmentCredentials: boolean;
  livekitKeys: Map<string, string>;
}

function parseCredentials(
  env: Env,
  production: boolean,
  problems: string[],
  readFile: SecretFileReader,
): Credentials {
  const apiKey = read(env, 'LIVEKIT_API_KEY');
  const keys = parseLivekitKeys(readSecret(env, 'LIVEKIT_KEYS', problems, readFile), problems);
  const givenSecret = readSecret(env, 'LIVEKIT_API_SECRET', problems, readFile);
  const listedSecret = apiKey === undefined ? undefined : keys.get(apiKey);
  if (
    typeof givenSecret === 'string' &&
    listedSecret !== undefined &&
    givenSecret !== listedSecret
  ) {
    problems.push(
      `LIVEKIT_KEYS gives the key ${apiKey ?? ''} another secret than LIVEKIT_API_SECRET: make them agree`,
    );
  }
  const apiSecret = givenSecret === undefined ? listedSecret : givenSecret;
  if (apiKey !== undefined && typeof apiSecret === 'string') {
    if (production && apiKey === DEVELOPMENT_API_KEY && apiSecret === DEVELOPMENT_API_SECRET) {
      problems.push(
        'LIVEKIT_API_KEY/LIVEKIT_API_SECRET are the public development pair devkey/secret, which NODE_ENV=production refuses',
      );
    }
    return {
      apiKey,
      apiSecret,
      usingDevelopmentCredentials: false,
      livekitKeys: new Map([...keys, [apiKey, apiSecret]]),
    };
  }
  const missing = [
    apiKey === undefined ? 'LIVEKIT_API_KEY' : undefined,
    // null: given but unusable, and already reported.
    apiSecret === undefined ? 'LIVEKIT_API_SECRET' : undefined,
  ].filter((name) => name !== undefined);
  if (production && missing.length > 0) {
    problems.push(`${missing.join(' and ')} must be set when NODE_ENV=production`);
  } else if (missing.length === 1) {
    problems.push(`${missing[0]} must be set too: set both LiveKit credentials, or neither`);
  } else if (keys.size > 0) {
    problems.push('LIVEKIT_API_KEY must name the key of LIVEKIT_KEYS that signs new tokens');
  }
  return {
    apiKey: DEVELOPMENT_API_KEY,
    apiSecret: DEVELOPMENT_API_SECRET,
    usingDevelopmentCredentials: true,
    livekitKeys: new Map([[DEVELOPMENT_API_KEY, DEVELOPMENT_API_SECRET]]),
  };
}

/**
 * Reads the configuration from environment variables. Collects every problem and throws
 * one ConfigError listing them all, so an operator fixes everything in one pass.
 */
export function loadConfig(
  env: Env = process.env,
  readFile: SecretFileReader = readSecretFileFromDisk,
): Config {
  const problems: string[] = [];
  const production = read(env, 'NODE_ENV') === 'production';
  const port = parsePort(read(env, 'TOKEN_SERVER_PORT'), problems);
  const host = read(env, 'TOKEN_SERVER_HOST') ?? '0.0.0.0';
  const corsOrigins = parseCorsOrigins(read(env, 'CORS_ORIGINS'), problems);
  const tokenTtlSeconds = parseExpiry(read(env, 'TOKEN_EXPIRY_HOURS'), problems);
  const rawLivekitUrl = read(env, 'LIVEKIT_URL');
  const livekitUrl =
    rawLivekitUrl === undefined
      ? undefined
      : parseUrl('LIVEKIT_URL', rawLivekitUrl, LIVEKIT_URL_SCHEMES, problems);
  const credentials = parseCredentials(env, production, problems, readFile);
  const auth = parseAuth(env, production, problems, readFile);
  const roomNamePattern = parseRoomNamePattern(read(env, 'ROOM_NAME_PATTERN'), problems);
  const tokenRateLimitPerMinute = parseRateLimit(
    'RATE_LIMIT_PER_MINUTE',
    read(env, 'RATE_LIMIT_PER_MINUTE'),
    DEFAULT_TOKEN_RATE_LIMIT_PER_MINUTE,
    problems,
  );
  const validateRateLimitPerMinute = parseRateLimit(
    'VALIDATE_RATE_LIMIT_PER_MINUTE',
    read(env, 'VALIDATE_RATE_LIMIT_PER_MINUTE'),
    DEFAULT_VALIDATE_RATE_LIMIT_PER_MINUTE,
    problems,
  );
  const trustProxy = parseTrustProxy(read(env, 'TRUST_PROXY'), problems);
  const roles = parseRoles(env, problems, readFile);
  const agentNames = parseAgentNames(read(env, 'AGENT_NAMES'), problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    corsOrigins,
    tokenTtlSeconds,
    livekitUrl,
    production,
    ...credentials,
    auth,
    roomNamePattern,
    tokenRateLimitPerMinute,
    validateRateLimitPerMinute,
    trustProxy,
    ...roles,
    agentNames,
  };
}

/** Start-up warnings about a configuration that works but should not ship. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.usingDevelopmentCredentials) {
    warnings.push(
      `LIVEKIT_API_KEY and LIVEKIT_API_SECRET are not set: signing with LiveKit's development credentials ${DEVELOPMENT_API_KEY}/${DEVELOPMENT_API_SECRET}, which only a development LiveKit server (livekit-server --dev) accepts. Never use them in production.`,
    );
  } else {
    for (const [key, secret] of config.livekitKeys) {
      if (secret.length < MIN_SECRET_LENGTH) {
        warnings.push(
          `The LiveKit secret of key ${key} is shorter than ${MIN_SECRET_LENGTH} characters; LiveKit servers refuse such secrets. Use a long random secret.`,
        );
      }
    }
  }
  if (config.auth.mode === 'none') {
    warnings.push(
      'AUTH_MODE is none: anyone who can reach /token can get a token for any identity in any room. Set AUTH_MODE=api-key or jwt unless a gateway in front authenticates callers.',
    );
  } else if (config.auth.mode === 'jwt' && config.auth.jwksUrl?.startsWith('http:')) {
    const { hostname } = new URL(config.auth.jwksUrl);
    if (!['localhost', '127.0.0.1', '[::1]'].includes(hostname)) {
      warnings.push('AUTH_JWKS_URL uses plain http: the keys can be tampered with on the way.');
    }
  }
  if (config.corsOrigins === '*') {
    warnings.push('CORS_ORIGINS is "*": any web page may request tokens from this server.');
  }
  if (config.livekitUrl === undefined) {
    warnings.push(
      'LIVEKIT_URL is not set: POST /connection-details answers 503 until it names your LiveKit server.',
    );
  }
  if (config.auth.mode !== 'api-key' && !config.publicRoles.has(config.defaultRole)) {
    warnings.push(
      `DEFAULT_ROLE ${config.defaultRole} is not in PUBLIC_ROLES: callers who name no role get 403 unless their login grants it.`,
    );
  }
  return warnings;
}

/** The effective configuration as printed at start-up: everything but the secret. */
export function describeConfig(config: Config): Record<string, string | number> {
  return {
    host: config.host,
    port: config.port,
    cors_origins: config.corsOrigins === '*' ? '*' : config.corsOrigins.join(','),
    token_expiry_hours: config.tokenTtlSeconds / 3600,
    livekit_api_key: config.apiKey,
    livekit_keys_accepted: [...config.livekitKeys.keys()].join(','),
    livekit_url: config.livekitUrl ?? '(not set)',
    node_env: config.production ? 'production' : 'development',
    ...describeAuth(config.auth),
    room_name_pattern: config.roomNamePattern?.source ?? '(any)',
    rate_limit_per_minute: config.tokenRateLimitPerMinute || 'off',
    validate_rate_limit_per_minute: config.validateRateLimitPerMinute || 'off',
    trust_proxy: Array.isArray(config.trustProxy)
      ? config.trustProxy.join(',')
      : String(config.trustProxy),
    roles: [...config.roles.keys()].join(','),
    public_roles: [...config.publicRoles].join(','),
    default_role: config.defaultRole,
    agent_names: config.agentNames === undefined ? '(any)' : [...config.agentNames].join(','),
  };
}

/** The authentication settings as printed at start-up: counts and URLs, never keys. */
function describeAuth(auth: AuthConfig): Record<string, string | number> {
  switch (auth.mode) {
    case 'none':
      return { auth_mode: 'none' };
    case 'api-key':
      return { auth_mode: 'api-key', api_keys: auth.apiKeys.length };
    case 'jwt':
      return {
        auth_mode: 'jwt',
        auth_keys: auth.jwksUrl ?? 'AUTH_JWT_SECRET (HS256)',
        auth_issuer: auth.issuer,
        auth_audience: auth.audience,
        auth_identity_claim: auth.identityClaim,
        auth_roles_claim: auth.rolesClaim ?? '(none)',
      };
  }
}
