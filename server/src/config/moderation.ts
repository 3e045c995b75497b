// The moderation section: where the moderation state lives without Redis (DATA_DIR), room
// caps (ROOM_MAX_PARTICIPANTS, SEAT_HOLD_SECONDS), what a second connection of one identity
// does (DUPLICATE_IDENTITY), how long the audit trail is kept (AUDIT_RETENTION_DAYS) and the
// moderation routes' budget (MODERATION_RATE_LIMIT_PER_MINUTE).
import { resolve } from 'node:path';
import { read, sectionVariables, wholeNumberIn, type ParseContext } from './env';

export const MODERATION_VARIABLES = sectionVariables('moderation', [
  {
    name: 'DATA_DIR',
    description:
      'Folder of the SQLite file holding bans, room caps, seats and the audit trail when REDIS_URL is unset (default ./data, created on first use)',
  },
  {
    name: 'ROOM_MAX_PARTICIPANTS',
    description: 'Cap on the participants of every room without a cap of its own (default: none)',
  },
  {
    name: 'SEAT_HOLD_SECONDS',
    description:
      'How long a token issued for a capped room holds a seat before joining (default 60)',
  },
  {
    name: 'DUPLICATE_IDENTITY',
    description:
      "replace (LiveKit's behaviour, default): a second connection of an identity replaces the first; refuse: 409 IDENTITY_IN_USE",
  },
  {
    name: 'AUDIT_RETENTION_DAYS',
    description: 'Days the audit trail is kept (default 30)',
  },
  {
    name: 'MODERATION_RATE_LIMIT_PER_MINUTE',
    description:
      'Requests per caller and minute to the moderation routes (default 120, 0 for none)',
  },
]);

export const DEFAULT_DATA_DIR = './data';
export const DEFAULT_SEAT_HOLD_SECONDS = 60;
export const DEFAULT_AUDIT_RETENTION_DAYS = 30;
export const DEFAULT_MODERATION_RATE_LIMIT_PER_MINUTE = 120;
/** LiveKit's own bound on max_participants is a uint32; no real room comes near this. */
const MAX_ROOM_PARTICIPANTS = 100_000;
const MAX_SEAT_HOLD_SECONDS = 3_600;
const MAX_AUDIT_RETENTION_DAYS = 3_650;

/** What a second connection of one identity to a room does. */
export type DuplicateIdentity = 'replace' | 'refuse';

/** Bans, caps and the audit trail. */
export interface ModerationConfig {
  /** The absolute folder of the SQLite file (used without REDIS_URL). */
  dataDir: string;
  /** The cap of rooms without one of their own; undefined for none. */
  roomMaxParticipants: number | undefined;
  /** How long a token holds a seat before its participant joins, in seconds. */
  seatHoldSeconds: number;
  duplicateIdentity: DuplicateIdentity;
  /** How long audit entries are kept, in days. */
  auditRetentionDays: number;
  /** Requests per minute and caller to the moderation routes; 0 turns the limit off. */
  moderationRateLimitPerMinute: number;
}

function parseDuplicateIdentity({ env, problems }: ParseContext): DuplicateIdentity {
  const raw = read(env, 'DUPLICATE_IDENTITY');
  if (raw === undefined || raw === 'replace') return 'replace';
  if (raw === 'refuse') return 'refuse';
  problems.push('DUPLICATE_IDENTITY must be replace or refuse');
  return 'replace';
}

/** Reads the moderation section. */
export function parseModeration(context: ParseContext): ModerationConfig {
  const rawCap = read(context.env, 'ROOM_MAX_PARTICIPANTS');
  return {
    dataDir: resolve(read(context.env, 'DATA_DIR') ?? DEFAULT_DATA_DIR),
    roomMaxParticipants:
      rawCap === undefined
        ? undefined
        : wholeNumberIn(
            context,
            'ROOM_MAX_PARTICIPANTS',
            { min: 1, max: MAX_ROOM_PARTICIPANTS, fallback: 1 },
            'participants',
          ),
    seatHoldSeconds: wholeNumberIn(
      context,
      'SEAT_HOLD_SECONDS',
      { min: 1, max: MAX_SEAT_HOLD_SECONDS, fallback: DEFAULT_SEAT_HOLD_SECONDS },
      'seconds',
    ),
    duplicateIdentity: parseDuplicateIdentity(context),
    auditRetentionDays: wholeNumberIn(
      context,
      'AUDIT_RETENTION_DAYS',
      { min: 1, max: MAX_AUDIT_RETENTION_DAYS, fallback: DEFAULT_AUDIT_RETENTION_DAYS },
      'days',
    ),
    moderationRateLimitPerMinute: wholeNumberIn(
      context,
      'MODERATION_RATE_LIMIT_PER_MINUTE',
      {
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        fallback: DEFAULT_MODERATION_RATE_LIMIT_PER_MINUTE,
      },
      'requests',
    ),
  };
}

/** The moderation settings as printed at start-up. */
export function describeModeration(
  config: ModerationConfig & { redisUrl: string | undefined },
): Record<string, string | number> {
  return {
    moderation_store: config.redisUrl === undefined ? `sqlite (${config.dataDir})` : 'redis',
    room_max_participants: config.roomMaxParticipants ?? '(none)',
    seat_hold_seconds: config.seatHoldSeconds,
    duplicate_identity: config.duplicateIdentity,
    audit_retention_days: config.auditRetentionDays,
    moderation_rate_limit_per_minute: config.moderationRateLimitPerMinute || 'off',
  };
}
