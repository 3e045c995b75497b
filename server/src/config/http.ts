// The HTTP section: where the server listens, which browser origins may call it, and
// which proxies' X-Forwarded-For it believes.
import { isIP } from 'node:net';
import {
  commaList,
  gotValue,
  isQuotable,
  isWholeNumber,
  NUMBER_CHARACTERS,
  read,
  sectionVariables,
  type Env,
  type ParseContext,
} from './env';

/** The port a server listens on when TOKEN_SERVER_PORT and PORT are unset. */
export const DEFAULT_PORT = 8002;

export const HTTP_VARIABLES = sectionVariables('http', [
  { name: 'TOKEN_SERVER_PORT', description: 'TCP port to listen on (default: PORT, else 8002)' },
  {
    name: 'PORT',
    description: 'TCP port to listen on when TOKEN_SERVER_PORT is unset, as hosting platforms set',
  },
  { name: 'TOKEN_SERVER_HOST', description: 'Interface to bind (default 0.0.0.0)' },
  {
    name: 'CORS_ORIGINS',
    description: 'Browser origins allowed to call the server, or * (default: loopback ones)',
  },
  { name: 'TRUST_PROXY', description: 'Which proxies X-Forwarded-For is believed from' },
]);

/**
 * Which browser origins may call us: a list, `*` for any origin, or `loopback` for any
 * http://localhost, 127.0.0.1 or [::1] origin on any port (the default outside production).
 * In production the default is the empty list: no browser origin.
 */
export type CorsOrigins = string[] | '*' | 'loopback';

/** Where the server listens and whom it answers across origins. */
export interface HttpConfig {
  /** TCP port to listen on; 0 asks the OS for a free one. */
  port: number;
  /** Interface to bind. */
  host: string;
  /** Origins allowed to call us from a browser. */
  corsOrigins: CorsOrigins;
  /** Express `trust proxy`: which proxies' X-Forwarded-For to believe for client IPs. */
  trustProxy: boolean | number | string[];
}

/** TOKEN_SERVER_PORT, else PORT (which hosting platforms set), else the default. */
function parsePort(env: Env, problems: string[]): number {
  const name = read(env, 'TOKEN_SERVER_PORT') === undefined ? 'PORT' : 'TOKEN_SERVER_PORT';
  const raw = read(env, name);
  if (raw === undefined) return DEFAULT_PORT;
  const port = Number(raw);
  if (!isWholeNumber(raw) || port > 65535) {
    problems.push(
      `${name} must be a whole number from 0 to 65535 ${gotValue(raw, NUMBER_CHARACTERS)}`,
    );
    return 0;
  }
  return port;
}

/**
 * What is wrong with one CORS_ORIGINS entry, or undefined for an origin as browsers send it
 * (scheme, host and optional port, nothing else). Shows at most the entry's origin: the rest
 * of a URL may hold a password, and a secret pasted here may itself parse as a URL.
 */
function originProblem(entry: string, position: number): string | undefined {
  if (entry === '*') return '"*" (allowed only alone)';
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return isQuotable(entry, /^[\w.:-]+$/)
      ? `"${entry}" (not a URL)`
      : `entry ${position} (not a URL; not shown)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `entry ${position} (not http:// or https://)`;
  }
  if (url.origin === entry) return undefined;
  if (url.username !== '' || url.password !== '') return `"${url.origin}" with user info`;
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || entry.endsWith('/')) {
    return `"${url.origin}" followed by a path, query or slash`;
  }
  return `"${url.origin}" written otherwise (browsers send lower case, without a default port)`;
}

function parseCorsOrigins(
  raw: string | undefined,
  production: boolean,
  problems: string[],
): CorsOrigins {
  // Development pages are served from loopback on any port (Vite 5173, Next.js 3000...);
  // production must name its web app's origin.
  if (raw === undefined) return production ? [] : 'loopback';
  const entries = commaList(raw);
  if (entries.length === 1 && entries[0] === '*') return '*';
  const bad = entries
    .map((entry, index) => originProblem(entry, index + 1))
    .filter((problem) => problem !== undefined);
  if (entries.length === 0 || bad.length > 0) {
    problems.push(
      `CORS_ORIGINS must be "*" or a comma list of origins like https://app.example.com (no path, no trailing slash)${bad.length > 0 ? `; bad: ${bad.join(', ')}` : ''}`,
    );
  }
  return entries;
}

/** Named address ranges that Express's `trust proxy` understands. */
const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrSubnet(entry: string): boolean {
  if (TRUST_PROXY_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  if (rest.length > 0 || isIP(address) === 0) return false;
  if (prefix === undefined) return true;
  const bits = isIP(address) === 4 ? 32 : 128;
  return isWholeNumber(prefix) && Number(prefix) <= bits;
}

/** Names `TRUST_PROXY=true`'s danger and what to set instead. */
const TRUST_PROXY_TRUE_PROBLEM =
  'TRUST_PROXY=true believes any X-Forwarded-For the client sends; set the number of proxies in front (e.g. 1) or their addresses/subnets (e.g. loopback,10.0.0.0/8)';

function parseTrustProxy(
  raw: string | undefined,
  production: boolean,
  problems: string[],
): boolean | number | string[] {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') {
    // Express then takes the left-most X-Forwarded-For entry, which the client writes: any
    // client could pose as any IP, and so escape the rate limit.
    if (production) problems.push(TRUST_PROXY_TRUE_PROBLEM);
    return true;
  }
  if (isWholeNumber(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  const bad = entries.flatMap((entry, index) => {
    if (isAddressOrSubnet(entry)) return [];
    return [isQuotable(entry, /^[\w.:/-]+$/) ? `"${entry}"` : `entry ${index + 1} (not shown)`];
  });
  if (bad.length > 0) {
    problems.push(
      `TRUST_PROXY must be true, false, a number of proxy hops, or a comma list of addresses, subnets, loopback, linklocal or uniquelocal; bad: ${bad.join(', ')}`,
    );
  }
  return entries;
}

/** Reads the HTTP section. */
export function parseHttp({ env, production, problems }: ParseContext): HttpConfig {
  return {
    port: parsePort(env, problems),
    host: read(env, 'TOKEN_SERVER_HOST') ?? '0.0.0.0',
    corsOrigins: parseCorsOrigins(read(env, 'CORS_ORIGINS'), production, problems),
    trustProxy: parseTrustProxy(read(env, 'TRUST_PROXY'), production, problems),
  };
}

/** Start-up warnings about HTTP settings that work but should not ship. */
export function httpWarnings(config: HttpConfig): string[] {
  const warnings: string[] = [];
  if (config.corsOrigins === '*') {
    warnings.push('CORS_ORIGINS is "*": any web page may request tokens from this server.');
  } else if (config.corsOrigins.length === 0) {
    // Only a production start without CORS_ORIGINS allows no origin: a list is never empty.
    warnings.push(
      "CORS_ORIGINS is not set: in production no browser origin may call this server; set CORS_ORIGINS to your web app's origin",
    );
  }
  if (config.trustProxy === true) {
    warnings.push(`${TRUST_PROXY_TRUE_PROBLEM}. NODE_ENV=production refuses it.`);
  }
  return warnings;
}

/** How the start-up line shows the allowed origins. */
function describeCorsOrigins(origins: CorsOrigins): string {
  if (origins === '*') return '*';
  if (origins === 'loopback') {
    return 'http://localhost:*,http://127.0.0.1:*,http://[::1]:* (development default)';
  }
  return origins.length === 0 ? '(none)' : origins.join(',');
}

/** The HTTP settings as printed at start-up. */
export function describeHttp(config: HttpConfig): Record<string, string | number> {
  return {
    host: config.host,
    port: config.port,
    cors_origins: describeCorsOrigins(config.corsOrigins),
    trust_proxy: Array.isArray(config.trustProxy)
      ? config.trustProxy.join(',')
      : String(config.trustProxy),
  };
}
