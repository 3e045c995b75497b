// The server's configuration: every section read from the environment in one pass, with
// every problem collected into one ConfigError. The only place that knows all variables.
import { AUTH_VARIABLES, authWarnings, describeAuth, parseAuth, type AuthConfig } from './auth';
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
  describeRoles,
  parseRoles,
  ROLES_VARIABLES,
  rolesWarnings,
  type RolesConfig,
} from './roles';

export type { AuthConfig, AuthMode, JwtAuthConfig } from './auth';
export type { ConfigVariable, Env, SecretFileReader } from './env';
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
  ...ROLES_VARIABLES,
];

/** The server's settings, read once at start-up. */
export type Config = HttpConfig &
  LivekitConfig &
  LimitsConfig &
  RolesConfig & {
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
    ...parseRoles(context),
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
    ...rolesWarnings(config, config.auth.mode),
  ];
}

/** The effective configuration as printed at start-up: everything but the secrets. */
export function describeConfig(config: Config): Record<string, string | number> {
  return {
    ...describeHttp(config),
    ...describeLivekit(config),
    node_env: config.production ? 'production' : 'development',
    ...describeAuth(config.auth),
    ...describeLimits(config),
    ...describeRoles(config),
  };
}
