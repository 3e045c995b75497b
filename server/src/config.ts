/** LiveKit's development credentials, the pair that `livekit-server --dev` accepts. */
export const DEVELOPMENT_API_KEY = 'devkey';
export const DEVELOPMENT_API_SECRET = 'secret';

/** LiveKit servers refuse to start with API secrets shorter than this. */
export const MIN_SECRET_LENGTH = 32;

/** The longest token lifetime we accept, one year in hours: longer is a standing credential. */
export const MAX_TOKEN_EXPIRY_HOURS = 24 * 366;

const DEFAULT_CORS_ORIGINS = 'http://localhost:3000,http://localhost:3005';

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
}

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
  const entries = (raw ?? DEFAULT_CORS_ORIGINS)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 1 && entries[0] === '*') return '*';
  const malformed = entries.filter((entry) => !isOrigin(entry));
  if (malformed.length > 0) {
    problems.push(
      `CORS_ORIGINS must be "*" or a comma list of origins like https://app.example.com (no path, no trailing slash); bad: ${malformed.map((entry) => `"${entry}"`).join(', ')}`,
    );
  }
  return entries;
}

function parseLivekitUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) return raw;
  } catch {
    // Reported below, like a URL with the wrong scheme.
  }
  problems.push(`LIVEKIT_URL must be a ws://, wss://, http:// or https:// URL (got "${raw}")`);
  return undefined;
}

interface Credentials {
  apiKey: string;
  apiSecret: string;
  usingDevelopmentCredentials: boolean;
}

function parseCredentials(env: Env, production: boolean, problems: string[]): Credentials {
  const apiKey = read(env, 'LIVEKIT_API_KEY');
  const apiSecret = read(env, 'LIVEKIT_API_SECRET');
  if (apiKey !== undefined && apiSecret !== undefined) {
    if (production && apiKey === DEVELOPMENT_API_KEY && apiSecret === DEVELOPMENT_API_SECRET) {
      problems.push(
        'LIVEKIT_API_KEY/LIVEKIT_API_SECRET are the public development pair devkey/secret, which NODE_ENV=production refuses',
      );
    }
    return { apiKey, apiSecret, usingDevelopmentCredentials: false };
  }
  const missing = [
    apiKey === undefined ? 'LIVEKIT_API_KEY' : undefined,
    apiSecret === undefined ? 'LIVEKIT_API_SECRET' : undefined,
  ].filter((name) => name !== undefined);
  if (production) {
    problems.push(`${missing.join(' and ')} must be set when NODE_ENV=production`);
  } else if (missing.length === 1) {
    problems.push(`${missing[0]} must be set too: set both LiveKit credentials, or neither`);
  }
  return {
    apiKey: DEVELOPMENT_API_KEY,
    apiSecret: DEVELOPMENT_API_SECRET,
    usingDevelopmentCredentials: true,
  };
}

/**
 * Reads the configuration from environment variables. Collects every problem and throws
 * one ConfigError listing them all, so an operator fixes everything in one pass.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const production = read(env, 'NODE_ENV') === 'production';
  const port = parsePort(read(env, 'TOKEN_SERVER_PORT'), problems);
  const host = read(env, 'TOKEN_SERVER_HOST') ?? '0.0.0.0';
  const corsOrigins = parseCorsOrigins(read(env, 'CORS_ORIGINS'), problems);
  const tokenTtlSeconds = parseExpiry(read(env, 'TOKEN_EXPIRY_HOURS'), problems);
  const livekitUrl = parseLivekitUrl(read(env, 'LIVEKIT_URL'), problems);
  const credentials = parseCredentials(env, production, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { port, host, corsOrigins, tokenTtlSeconds, livekitUrl, production, ...credentials };
}

/** Start-up warnings about a configuration that works but should not ship. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.usingDevelopmentCredentials) {
    warnings.push(
      `LIVEKIT_API_KEY and LIVEKIT_API_SECRET are not set: signing with LiveKit's development credentials ${DEVELOPMENT_API_KEY}/${DEVELOPMENT_API_SECRET}, which only a development LiveKit server (livekit-server --dev) accepts. Never use them in production.`,
    );
  } else if (config.apiSecret.length < MIN_SECRET_LENGTH) {
    warnings.push(
      `LIVEKIT_API_SECRET is shorter than ${MIN_SECRET_LENGTH} characters; LiveKit servers refuse such secrets. Use a long random secret.`,
    );
  }
  if (config.corsOrigins === '*') {
    warnings.push('CORS_ORIGINS is "*": any web page may request tokens from this server.');
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
    livekit_url: config.livekitUrl ?? '(not set)',
    node_env: config.production ? 'production' : 'development',
  };
}
