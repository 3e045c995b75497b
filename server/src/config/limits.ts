// The limits section: how many requests a caller may make, and what they may ask for
// (room names matching ROOM_NAME_PATTERN, agents named in AGENT_NAMES).
import { isPrintableText } from '../text';
import { commaList, isWholeNumber, read, sectionVariables, type ParseContext } from './env';

/** Default budgets per caller and minute: enough for people, too few for a token farm. */
export const DEFAULT_TOKEN_RATE_LIMIT_PER_MINUTE = 60;
export const DEFAULT_VALIDATE_RATE_LIMIT_PER_MINUTE = 120;

export const LIMITS_VARIABLES = sectionVariables('limits', [
  {
    name: 'RATE_LIMIT_PER_MINUTE',
    description: 'Token requests per caller and minute, /token and /connection-details together',
  },
  {
    name: 'VALIDATE_RATE_LIMIT_PER_MINUTE',
    description: '/validate requests per caller and minute',
  },
  { name: 'ROOM_NAME_PATTERN', description: 'A regular expression every asked-for room matches' },
  { name: 'AGENT_NAMES', description: 'The agents a token may dispatch, comma separated' },
]);

/** Request budgets, and what callers may ask for. */
export interface LimitsConfig {
  /** Requests per minute and caller to the token routes; 0 turns the limit off. */
  tokenRateLimitPerMinute: number;
  /** Requests per minute and caller to /validate; 0 turns the limit off. */
  validateRateLimitPerMinute: number;
  /** Room names callers may ask for must match this whole; undefined allows any. */
  roomNamePattern: RegExp | undefined;
  /** Agents a token may dispatch; undefined allows any. */
  agentNames: ReadonlySet<string> | undefined;
}

function parseRateLimit(
  name: string,
  raw: string | undefined,
  fallback: number,
  problems: string[],
): number {
  if (raw === undefined) return fallback;
  if (!isWholeNumber(raw)) {
    problems.push(`${name} must be a whole number of requests, 0 for no limit (got "${raw}")`);
    return fallback;
  }
  return Number(raw);
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

function parseAgentNames(raw: string | undefined, problems: string[]): Set<string> | undefined {
  if (raw === undefined) return undefined;
  const names = commaList(raw);
  if (names.length === 0 || !names.every(isPrintableText)) {
    problems.push('AGENT_NAMES must be a comma list of agent names');
  }
  return new Set(names);
}

/** Reads the limits section. */
export function parseLimits({ env, problems }: ParseContext): LimitsConfig {
  return {
    tokenRateLimitPerMinute: parseRateLimit(
      'RATE_LIMIT_PER_MINUTE',
      read(env, 'RATE_LIMIT_PER_MINUTE'),
      DEFAULT_TOKEN_RATE_LIMIT_PER_MINUTE,
      problems,
    ),
    validateRateLimitPerMinute: parseRateLimit(
      'VALIDATE_RATE_LIMIT_PER_MINUTE',
      read(env, 'VALIDATE_RATE_LIMIT_PER_MINUTE'),
      DEFAULT_VALIDATE_RATE_LIMIT_PER_MINUTE,
      problems,
    ),
    roomNamePattern: parseRoomNamePattern(read(env, 'ROOM_NAME_PATTERN'), problems),
    agentNames: parseAgentNames(read(env, 'AGENT_NAMES'), problems),
  };
}

/** The limits as printed at start-up. */
export function describeLimits(config: LimitsConfig): Record<string, string | number> {
  return {
    room_name_pattern: config.roomNamePattern?.source ?? '(any)',
    rate_limit_per_minute: config.tokenRateLimitPerMinute || 'off',
    validate_rate_limit_per_minute: config.validateRateLimitPerMinute || 'off',
    agent_names: config.agentNames === undefined ? '(any)' : [...config.agentNames].join(','),
  };
}
