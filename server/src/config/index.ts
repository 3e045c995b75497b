// The server's configuration: every section read from the environment in one pass, with
// every problem collected into one ConfigError. The only place that knows all variables.
import { AUTH_VARIABLES, authWarnings, describeAuth, parseAuth, type AuthConfig } from './auth';
import { describeDocs, DOCS_VARIABLES, parseDocs, type DocsConfig } from './docs';
import {
  readFileFromDisk,
  read,
  sectionVariables,
  type ConfigVariable,
  type Env,
  type ParseContext,
  type SecretFileReader,
} from './env';
import { describeHttp, HTTP_VARIABLES, httpWarnings, parseHttp, type HttpConfig } from './http';
import { describeLimits, LIMITS_VARIABLES, parseLimits, type LimitsConfig } from './limits';
import {
  describeLivekit,
  LIVEKIT_VARIABLES,
  livekitWarnings,
  parseLivekit,
  type LivekitConfig,
} from './livekit';
import {
  describeRedis,
  parseRedis,
  REDIS_VARIABLES,
  redisWarnings,
  type RedisConfig,
} from './redis';
import {
  describeModeration,
  MODERATION_VARIABLES,
  parseModeration,
  type ModerationConfig,
} from './moderation';
import { describeInvites, INVITES_VARIABLES, parseInvites, type InvitesConfig } from './invites';
import { describeMetrics, METRICS_VARIABLES, parseMetrics, type MetricsConfig } from './metrics';
import { describeRuntime, parseRuntime, RUNTIME_VARIABLES, type RuntimeConfig } from './runtime';
import {
  describeRoles,
  parseRoles,
  ROLES_VARIABLES,
  rolesWarnings,
  type RolesConfig,
} from './roles';

export type { AuthConfig, AuthMode, JwtAuthConfig } from './auth';
export type { ConfigVariable, Env, SecretFileReader } from './env';
export type { CorsOrigins } from './http';
export type { DuplicateIdentity } from './moderation';
export {
  DEVELOPMENT_API_KEY,
  DEVELOPMENT_API_SECRET,
  MAX_TOKEN_EXPIRY_HOURS,
  MIN_SECRET_LENGTH,
} from './livekit';
export {
  DEFAULT_TOKEN_RATE_LIMIT_PER_MINUTE,
  DEFAULT_VALIDATE_RATE_LIMIT_PER_MINUTE,
} from './limits';

const GENERAL_VARIABLES = sectionVariables('general', [
  { name: 'NODE_ENV', description: 'production refuses unsafe defaults' },
]);

/** Every environment variable the server reads, by section, with which ones are secret. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  ...GENERAL_VARIABLES,
  ...HTTP_VARIABLES,
  ...LIVEKIT_VARIABLES,
  ...AUTH_VARIABLES,
  ...LIMITS_VARIABLES,
  ...REDIS_VARIABLES,
  ...MODERATION_VARIABLES,
  ...INVITES_VARIABLES,
  ...RUNTIME_VARIABLES,
  ...METRICS_VARIABLES,
  ...ROLES_VARIABLES,
  ...DOCS_VARIABLES,
];

/** The server's settings, read once at start-up. */
export type Config = HttpConfig &
  LivekitConfig &
  LimitsConfig &
  RedisConfig &
  ModerationConfig &
  InvitesConfig &
  RuntimeConfig &
  MetricsConfig &
  RolesConfig &
  DocsConfig & {
    /** True when NODE_ENV is `production`. */
    production: boolean;
    /** How callers of /token and /validate prove who they are. */
    auth: AuthConfig;
  };

/** Thrown by loadConfig with every problem found, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the configuration from environment variables. Collects every problem and throws
 * one ConfigError listing them all, so an operator fixes everything in one pass. Has no
 * side effects: the environment and the file reader are given.
 */
export function loadConfig(
  env: Env = process.env,
  readFile: SecretFileReader = readFileFromDisk,
): Config {
  const context: ParseContext = {
    env,
    production: read(env, 'NODE_ENV') === 'production',
    problems: [],
    readFile,
  };
  const config: Config = {
    production: context.production,
    ...parseHttp(context),
    ...parseLivekit(context),
    auth: parseAuth(context),
    ...parseLimits(context),
    ...parseRedis(context),
    ...parseModeration(context),
    ...parseInvites(context),
    ...parseRuntime(context),
    ...parseMetrics(context),
    ...parseRoles(context),
    ...parseDocs(context),
  };
  if (context.problems.length > 0) throw new ConfigError(context.problems);
  return config;
}

/** Start-up warnings about a configuration that works but should not ship. */
export function configWarnings(config: Config): string[] {
  return [
    ...livekitWarnings(config),
    ...authWarnings(config.auth),
    ...httpWarnings(config),
    ...redisWarnings(config),
    ...rolesWarnings(config, config.auth.mode),
  ];
}

/** The effective configuration as printed at start-up: everything but the secrets. */
export function describeConfig(config: Config): Record<string, string | number> {
  return Object.assign({}, ...describeConfigBySection(config).map(({ settings }) => settings));
}

/** The effective configuration section by section, for a start-up summary of short lines. */
export function describeConfigBySection(
  config: Config,
): Array<{ section: string; settings: Record<string, string | number> }> {
  return [
    { section: 'http', settings: describeHttp(config) },
    {
      section: 'livekit',
      settings: {
        ...describeLivekit(config),
        node_env: config.production ? 'production' : 'development',
      },
    },
    { section: 'auth', settings: describeAuth(config.auth) },
    { section: 'limits', settings: describeLimits(config) },
    { section: 'redis', settings: describeRedis(config) },
    { section: 'moderation', settings: describeModeration(config) },
    { section: 'invites', settings: describeInvites(config) },
    { section: 'runtime', settings: describeRuntime(config) },
    { section: 'metrics', settings: describeMetrics(config) },
    { section: 'roles', settings: describeRoles(config) },
    { section: 'docs', settings: describeDocs(config) },
  ];
}
