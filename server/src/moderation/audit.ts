// The audit trail: each token issued, each moderation act, each join and leave LiveKit
// reports. Every entry goes to the store (GET /rooms/{room}/audit) and to the log as one
// JSON line with an `event` field (docs/moderation.md lists them). Never a token or a key.
import type { Logger } from '../logger';
import type { AuditEntry, ModerationStore } from './store';

/** The events of the audit trail, as the log's `event` field and the audit route name them. */
export const AUDIT_EVENTS = [
  'token_issued',
  'ban_added',
  'ban_removed',
  'room_limit_set',
  'participant_joined',
  'participant_left',
  'participant_removed',
  'room_started',
  'room_finished',
  'invite_created',
  'invite_revoked',
  'guest_waiting',
  'guest_admitted',
  'guest_denied',
] as const;

/** One event of the audit trail. */
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/** What is recorded of one event; the time is the recorder's. */
export type AuditRecord = Omit<AuditEntry, 'atMs' | 'event' | 'details'> & {
  event: AuditEvent;
  details?: AuditEntry['details'];
};

/**
 * Records audit events into a store and the log. `log: false` leaves the log line to the
 * caller: a token issued is told on its request's own access line, one line rather than two.
 */
export type AuditRecorder = (
  record: AuditRecord,
  nowMs?: number,
  options?: { log?: boolean },
) => Promise<void>;

/** The entry of `record`, recorded at `atMs`. */
export function auditEntryOf(record: AuditRecord, atMs: number): AuditEntry {
  return { ...record, details: record.details ?? {}, atMs };
}

/** The recorder over `store`: the store's write is awaited, so that a failure is seen. */
export function auditRecorder(store: () => ModerationStore, logger: Logger): AuditRecorder {
  return async (record, nowMs = Date.now(), options = {}) => {
    const entry = auditEntryOf(record, nowMs);
    await store().appendAudit(entry);
    if (options.log === false) return;
    logger.info(record.event.replace(/_/g, ' '), {
      event: entry.event,
      room: entry.room,
      identity: entry.identity,
      actor: entry.actor,
      ...(entry.requestId === null ? {} : { request_id: entry.requestId }),
      ...entry.details,
    });
  };
}
