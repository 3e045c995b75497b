// What the deployment files must agree with: the variables the server reads, which of
// them are secret, its ports, probe paths and shutdown timings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../../server/src/config';
import { DEFAULT_PORT } from '../../../server/src/config/http';
import { LIVEKIT_MAX_METADATA_BYTES } from '../../../server/src/config/limits';
import { DEFAULT_METRICS_PORT } from '../../../server/src/config/metrics';
import { validateBodyLimitBytes } from '../../../server/src/routes/body-limits';
import { REPO_ROOT } from '../../support/processes';

/**
 * Variables the deployment files may use before the server reads them. Empty: everything
 * they use is in CONFIG_VARIABLES, and a test keeps it so.
 */
export const PENDING_VARIABLES: ReadonlyArray<{ name: string; secret: boolean }> = [];

/** The variables the server reads, or will: CONFIG_VARIABLES plus the pending ones. */
export const SERVER_VARIABLES: ReadonlyMap<string, { secret: boolean }> = new Map([
  ...PENDING_VARIABLES.map(({ name, secret }) => [name, { secret }] as const),
  ...CONFIG_VARIABLES.map(({ name, secret }) => [name, { secret }] as const),
]);

/** True for a variable whose value must come from a Secret or a file, never a literal. */
export function isSecretVariable(name: string): boolean {
  return SERVER_VARIABLES.get(name)?.secret === true;
}

/** The API port with TOKEN_SERVER_PORT and PORT unset. */
export const SERVER_DEFAULT_PORT = DEFAULT_PORT;
/** The metrics port with METRICS_PORT unset. */
export const METRICS_DEFAULT_PORT = DEFAULT_METRICS_PORT;
/**
 * Interfaces that take connections from outside a container or pod: a listener published
 * or scraped there must be bound to one of these, not to the server's default loopback.
 */
export const EVERY_INTERFACE: readonly string[] = ['0.0.0.0', '::'];
/** Liveness: 200 while the process can answer. */
export const LIVENESS_PATH = '/healthz';
/** Readiness: 503 when not ready, and from SIGTERM on while draining. */
export const READINESS_PATH = '/readyz';
/** SHUTDOWN_DRAIN_MS's default with NODE_ENV=production, in milliseconds (pending). */
export const DEFAULT_SHUTDOWN_DRAIN_MS = 5000;
/** What in-flight requests get after the drain: SHUTDOWN_GRACE_MS in server/src/index.ts. */
export const IN_FLIGHT_GRACE_MS = 10_000;

/** The longest a stopping server may take: drain, then in-flight requests, in milliseconds. */
export function longestStopMs(env: Record<string, string | undefined>): number {
  const drain =
    env.SHUTDOWN_DRAIN_MS === undefined ? DEFAULT_SHUTDOWN_DRAIN_MS : Number(env.SHUTDOWN_DRAIN_MS);
  return drain + IN_FLIGHT_GRACE_MS;
}

/** The API port a server with this environment listens on. */
export function serverPort(env: Record<string, string | undefined>): number {
  const port = env.TOKEN_SERVER_PORT ?? env.PORT;
  return port === undefined ? SERVER_DEFAULT_PORT : Number(port);
}

/** The metrics port a server with this environment listens on. */
export function metricsPort(env: Record<string, string | undefined>): number {
  return env.METRICS_PORT === undefined ? METRICS_DEFAULT_PORT : Number(env.METRICS_PORT);
}

/** A repository file's text. */
export function readRepoFile(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

/** The YAML documents of a repository file, failing on any parse error. */
export function readYamlDocuments(path: string): unknown[] {
  return parseAllDocuments(readRepoFile(path)).map((document) => {
    if (document.errors.length > 0) throw new Error(`${path}: ${document.errors.join('; ')}`);
    return document.toJS() as unknown;
  });
}

/** Credentials loadConfig accepts in production, standing in for a real Secret's. */
export const PRODUCTION_SECRETS = {
  LIVEKIT_API_KEY: 'APIdeploytest',
  LIVEKIT_API_SECRET: 'deploy-test-livekit-secret-of-40-characters',
  TOKEN_SERVER_API_KEYS: 'a3f1c9e07b5d42e8a6c1f0b9d7e3a5c2b8f4e6d0a1c3e5f7b9d2a4c6e8f0a2b4',
  REDIS_URL: 'redis://:deploy-test-password@redis.example.internal:6379',
};

/** The server's largest accepted body: /validate with metadata at LiveKit's own cap. */
export function largestBodyBytes(): number {
  return validateBodyLimitBytes(
    loadConfig({
      NODE_ENV: 'production',
      AUTH_MODE: 'api-key',
      ...PRODUCTION_SECRETS,
      MAX_METADATA_BYTES: String(LIVEKIT_MAX_METADATA_BYTES),
    }),
  );
}

/** A size as nginx (4m, 512k: powers of 1024) or Caddy (4MB, 4MiB) writes it, in bytes. */
export function sizeBytes(size: string): number {
  const units: Record<string, number> = {
    '': 1,
    k: 1024,
    m: 1024 ** 2,
    g: 1024 ** 3,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    kib: 1024,
    mib: 1024 ** 2,
    gib: 1024 ** 3,
  };
  const match = /^(\d+)([a-z]*)$/i.exec(size);
  return Number(match?.[1]) * (units[(match?.[2] ?? '').toLowerCase()] ?? NaN);
}

/** The server settings a file's comments give, `NAME=value` at the start of a comment. */
export function notedSettings(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/^#\s+([A-Z_]+)=(\S+)/gm)].map(([, name, value]) => [name, value]),
  );
}
