// The HTTP section: where the server listens, which browser origins may call it, and
// which proxies' X-Forwarded-For it believes.
import { isIP } from 'node:net';
import { commaList, isWholeNumber, read, sectionVariables, type ParseContext } from './env';

/** The port a server listens on when TOKEN_SERVER_PORT is unset. */
export const DEFAULT_PORT = 8002;

const DEFAULT_CORS_ORIGINS = 'http://localhost:3000,http://localhost:3005';

export const HTTP_VARIABLES = sectionVariables('http', [
  { name: 'TOKEN_SERVER_PORT', description: 'TCP port to listen on (default 8002)' },
  { name: 'TOKEN_SERVER_HOST', description: 'Interface to bind (default 0.0.0.0)' },
  { name: 'CORS_ORIGINS', description: 'Browser origins allowed to call the server, or *' },
  { name: 'TRUST_PROXY', description: 'Which proxies X-Forwarded-For is believed from' },
]);

/** Where the server listens and whom it answers across origins. */
export interface HttpConfig {
  /** TCP port to listen on; 0 asks the OS for a free one. */
  port: number;
  /** Interface to bind. */
  host: string;
  /** Origins allowed to call us from a browser, or '*' for any origin. */
  corsOrigins: string[] | '*';
  /** Express `trust proxy`: which proxies' X-Forwarded-For to believe for client IPs. */
  trustProxy: boolean | number | string[];
}

function parsePort(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return DEFAULT_PORT;
  const port = Number(raw);
  if (!isWholeNumber(raw) || port > 65535) {
    problems.push(`TOKEN_SERVER_PORT must be a whole number from 0 to 65535 (got "${raw}")`);
    return 0;
  }
  return port;
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

function parseTrustProxy(raw: string | undefined, problems: string[]): boolean | number | string[] {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (isWholeNumber(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isAddressOrSubnet(entry));
  if (bad.length > 0) {
    problems.push(
      `TRUST_PROXY must be true, false, a number of proxy hops, or a comma list of addresses, subnets, loopback, linklocal or uniquelocal; bad: ${bad.map((entry) => `"${entry}"`).join(', ')}`,
    );
  }
  return entries;
}

/** Reads the HTTP section. */
export function parseHttp({ env, problems }: ParseContext): HttpConfig {
  return {
    port: parsePort(read(env, 'TOKEN_SERVER_PORT'), problems),
    host: read(env, 'TOKEN_SERVER_HOST') ?? '0.0.0.0',
    corsOrigins: parseCorsOrigins(read(env, 'CORS_ORIGINS'), problems),
    trustProxy: parseTrustProxy(read(env, 'TRUST_PROXY'), problems),
  };
}

/** Start-up warnings about HTTP settings that work but should not ship. */
export function httpWarnings(config: HttpConfig): string[] {
  return config.corsOrigins === '*'
    ? ['CORS_ORIGINS is "*": any web page may request tokens from this server.']
    : [];
}

/** The HTTP settings as printed at start-up. */
export function describeHttp(config: HttpConfig): Record<string, string | number> {
  return {
    host: config.host,
    port: config.port,
    cors_origins: config.corsOrigins === '*' ? '*' : config.corsOrigins.join(','),
    trust_proxy: Array.isArray(config.trustProxy)
      ? config.trustProxy.join(',')
      : String(config.trustProxy),
  };
}
