// The limits section: how many requests a caller may make, and what they may ask for
// (room names matching ROOM_NAME_PATTERN, agents named in AGENT_NAMES).
import { compileRoomNamePattern, type RoomNamePattern } from '../room-name-pattern';
import { isIdentifierText } from '../text';
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
  {
    name: 'MAX_METADATA_BYTES',
    description: 'Largest participant metadata, in bytes of UTF-8 (default 65536, at most 524288)',
  },
  {
    name: 'RATE_LIMIT_MAX_CALLERS',
    description:
      'The most callers each budget tracks in memory, the oldest window forgotten first (default 100000)',
  },
]);

/**
 * The most callers one in-memory budget tracks by default: about 47 MB per budget at some
 * 470 bytes each. Made-up forwarded addresses once grew the heap to 2.5 GB without a cap.
 */
export const DEFAULT_RATE_LIMIT_MAX_CALLERS = 100_000;
const MIN_RATE_LIMIT_MAX_CALLERS = 10;
const MAX_RATE_LIMIT_MAX_CALLERS = 10_000_000;

/** Our default cap on participant metadata, in bytes of UTF-8: a token travels in a URL. */
export const DEFAULT_MAX_METADATA_BYTES = 64 * 1024;
/** LiveKit's own cap on participant metadata, in bytes of UTF-8. */
export const LIVEKIT_MAX_METADATA_BYTES = 512 * 1024;

/** Request budgets, and what callers may ask for. */
export interface LimitsConfig {
  /** Requests per minute and caller to the token routes; 0 turns the limit off. */
  tokenRateLimitPerMinute: number;
  /** Requests per minute and caller to /validate; 0 turns the limit off. */
  validateRateLimitPerMinute: number;
  /** Room names callers may ask for must match this whole; undefined allows any. */
  roomNamePattern: RoomNamePattern | undefined;
  /** Agents a token may dispatch; undefined allows any. */
  agentNames: ReadonlySet<string> | undefined;
  /** Largest participant metadata a request may set, in bytes of UTF-8. */
  maxMetadataBytes: number;
  /** The most callers each in-memory budget tracks, per instance (the primary's, with workers). */
  rateLimitMaxCallers: number;
}

function parseRateLimit(
  name: string,
  raw: string | undefined,
  fallback: number,
  problems: string[],
): number {
  if (raw === undefined) return fallback;
  if (!isWholeNumber(raw)) {
    problems.push(`${name} must be a whole number of requests, 0 for no limit`);
    return fallback;
  }
  return Number(raw);
}

function parseRoomNamePattern(
  raw: string | undefined,
  problems: string[],
): RoomNamePattern | undefined {
  if (raw === undefined) return undefined;
  const pattern = compileRoomNamePattern(raw);
  if ('problem' in pattern) {
    problems.push(pattern.problem);
    return undefined;
  }
  return pattern;
}

function parseMaxMetadataBytes(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return DEFAULT_MAX_METADATA_BYTES;
  const bytes = Number(raw);
  if (!isWholeNumber(raw) || bytes < 1 || bytes > LIVEKIT_MAX_METADATA_BYTES) {
    problems.push(
      `MAX_METADATA_BYTES must be a whole number of bytes from 1 to ${LIVEKIT_MAX_METADATA_BYTES}, LiveKit's own cap`,
    );
    return DEFAULT_MAX_METADATA_BYTES;
  }
  return bytes;
}

function parseAgentNames(raw: string | undefined, problems: string[]): Set<string> | undefined {
  if (raw === undefined) return undefined;
  const names = commaList(raw);
  if (names.length === 0 || !names.every(isIdentifierText)) {
    problems.push('AGENT_NAMES must be a comma list of agent names');
  }
  return new Set(names);
}

function parseMaxCallers(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return DEFAULT_RATE_LIMIT_MAX_CALLERS;
  const callers = Number(raw);
  if (
    !isWholeNumber(raw) ||
    callers < MIN_RATE_LIMIT_MAX_CALLERS ||
    callers > MAX_RATE_LIMIT_MAX_CALLERS
  ) {
    problems.push(
      `RATE_LIMIT_MAX_CALLERS must be a whole number from ${MIN_RATE_LIMIT_MAX_CALLERS} to ${MAX_RATE_LIMIT_MAX_CALLERS}`,
    );
    return DEFAULT_RATE_LIMIT_MAX_CALLERS;
  }
  return callers;
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
    maxMetadataBytes: parseMaxMetadataBytes(read(env, 'MAX_METADATA_BYTES'), problems),
    rateLimitMaxCallers: parseMaxCallers(read(env, 'RATE_LIMIT_MAX_CALLERS'), problems),
  };
}

/** The limits as printed at start-up. */
export function describeLimits(config: LimitsConfig): Record<string, string | number> {
  return {
    room_name_pattern: config.roomNamePattern?.source ?? '(any)',
    rate_limit_per_minute: config.tokenRateLimitPerMinute || 'off',
    validate_rate_limit_per_minute: config.validateRateLimitPerMinute || 'off',
    agent_names: config.agentNames === undefined ? '(any)' : [...config.agentNames].join(','),
    max_metadata_bytes: config.maxMetadataBytes,
    rate_limit_max_callers: config.rateLimitMaxCallers,
  };
}
