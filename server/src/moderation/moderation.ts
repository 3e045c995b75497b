// Moderation as the routes use it: the store, opened on first use; admission of a token
// (bans, caps, seats); bans with their kick; the audit trail; LiveKit's webhook events. A
// store that cannot answer gives 503 MODERATION_UNAVAILABLE: no token is issued rather
// than a ban missed.
import type { Config } from '../config';
import { HttpError } from '../errors';
import type { Logger } from '../logger';
import { auditEntryOf, auditRecorder, type AuditRecord, type AuditRecorder } from './audit';
import type { RoomServiceCalls } from './livekit-api';
import { ModerationStoreUnavailableError, type Ban, type ModerationStore } from './store';

/** A token about to be issued, as admission sees it. */
export interface AdmissionRequest {
  identity: string;
  room: string;
  /** False for roles whose grant is agent or recorder: they take no seat, as in LiveKit. */
  takesSeat: boolean;
  /**
   * The token's audit event, recorded with the admission (in the same store step) when the
   * token is admitted, at the admission's time; to the store only: the request's access
   * line tells the log.
   */
  record?: AuditRecord;
}

/** What admission decided: the cap the token carries as roomConfig.maxParticipants. */
export interface Admission {
  maxParticipants: number | undefined;
}

/**
 * A ban to make, as the route read it: how long it holds rather than until when, so that
 * its expiry counts from its own creation time, not from a clock read a moment apart.
 */
export type BanRequest = Omit<Ban, 'createdAtMs' | 'expiresAtMs'> & {
  /** How long the ban holds, in ms; null until lifted. */
  durationMs: number | null;
};

/** Moderation, as the routes use it. */
export interface Moderation {
  /** The store; throws 503 MODERATION_UNAVAILABLE when it cannot be opened. */
  store(): ModerationStore;
  /** Opens the store at start-up; throws the store's own one-line Error when it cannot. */
  open(): ModerationStore;
  /**
   * Refuses a banned identity (403 BANNED) or a full room (409), else holds a seat and
   * records the token.
   */
  admit(request: AdmissionRequest): Promise<Admission>;
  /** Records an event in the audit trail and the log. */
  record: AuditRecorder;
  /** Bans, records, and removes the participant from LiveKit in the background. */
  ban(ban: BanRequest, requestId: string | null): Promise<Ban>;
  /** Removes a participant from LiveKit in the background, when LIVEKIT_URL is set. */
  kick(room: string, identity: string): void;
  /** Replaces what the store knows of a room's participants with LiveKit's list. */
  reconcile(room: string): Promise<boolean>;
  /** Runs `work` against the store, turning a store failure into 503. */
  withStore<T>(work: (store: ModerationStore) => Promise<T>): Promise<T>;
  /** Closes the store if it was opened. */
  close(): Promise<void>;
}

/** How often expired audit entries, bans, holds and webhook ids are forgotten, in ms. */
const PRUNE_EVERY_MS = 3_600_000;

/**
 * The longest a token request for a room that looks full waits for LiveKit's list, in ms:
 * LiveKit down must not slow token requests, so past this the request is refused on what
 * the store knows, and the list still updates the store when it comes.
 */
export const RECONCILE_WAIT_MS = 500;

/** How long presence may go unheard before a full room is checked with LiveKit, in ms. */
export const PRESENCE_TRUSTED_FOR_MS = 30_000;

/** What moderation is built from. */
export interface ModerationParts {
  config: Config;
  logger: Logger;
  /** Opens the store; called once, on first use. */
  openStore: () => ModerationStore;
  /** LiveKit's RoomService; undefined without LIVEKIT_URL (bans then cannot kick). */
  roomService: RoomServiceCalls | undefined;
  /** The clock, in epoch milliseconds; tests move it. */
  now?: () => number;
  /** How long a full room's check with LiveKit may take (default RECONCILE_WAIT_MS). */
  reconcileWaitMs?: number;
}

/** 503 for a store that cannot answer, saying which one without any secret. */
function unavailable(config: Config, error: unknown): HttpError {
  const where =
    config.redisUrl === undefined
      ? `the SQLite file in DATA_DIR (${config.dataDir})`
      : 'Redis (REDIS_URL)';
  const why = error instanceof Error ? `: ${error.message}` : '';
  return new HttpError(
    'MODERATION_UNAVAILABLE',
    `Moderation state cannot be read or written in ${where}${why}; no token is issued until it can.`,
  );
}

/** Builds moderation for an app. */
export function createModeration(parts: ModerationParts): Moderation {
  const { config, logger, roomService } = parts;
  const now = parts.now ?? Date.now;
  let opened: ModerationStore | undefined;
  let pruning: NodeJS.Timeout | undefined;
  const prune = () =>
    opened
      ?.prune(now() - config.auditRetentionDays * 24 * 3_600_000, now())
      .catch((error: unknown) =>
        logger.warn('moderation store not pruned', {
          reason: error instanceof Error ? error.message : 'error',
        }),
      );
  const open = (): ModerationStore => {
    if (opened !== undefined) return opened;
    opened = parts.openStore();
    // AUDIT_RETENTION_DAYS, enforced: at once, then hourly, never keeping the process up.
    void prune();
    pruning = setInterval(() => void prune(), PRUNE_EVERY_MS).unref();
    return opened;
  };
  const store = (): ModerationStore => {
    try {
      return open();
    } catch (error) {
      throw unavailable(config, error);
    }
  };
  const withStore = async <T>(work: (store: ModerationStore) => Promise<T>): Promise<T> => {
    try {
      return await work(store());
    } catch (error) {
      if (error instanceof ModerationStoreUnavailableError) throw unavailable(config, error);
      throw error;
    }
  };
  const recordToStore = auditRecorder(store, logger);
  const record: AuditRecorder = (entry: AuditRecord, nowMs?: number, options?: { log?: boolean }) =>
    withStore(() => recordToStore(entry, nowMs ?? now(), options));

  const kick = (room: string, identity: string): void => {
    if (roomService === undefined) return;
    // In the background: LiveKit down never fails or slows a request; the client logs once.
    void roomService.removeParticipant(room, identity).then(
      () =>
        record({
          event: 'participant_removed',
          room,
          identity,
          actor: 'token-server',
          requestId: null,
        }).catch(() => {}),
      () => {},
    );
  };

  const reconcile = async (room: string): Promise<boolean> => {
    if (roomService === undefined) return false;
    let listed;
    try {
      listed = await roomService.listParticipants(room);
    } catch {
      return false;
    }
    const identities = listed.filter(({ takesSeat }) => takesSeat).map(({ identity }) => identity);
    await withStore((s) => s.replaceParticipants(room, identities, now()));
    return true;
  };

  /** Reconciles `room`, answering false when LiveKit has not answered within `waitMs`. */
  const reconciledWithin = (room: string, waitMs: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), waitMs);
    });
    const listed = reconcile(room).catch(() => false);
    return Promise.race([listed, late]).finally(() => clearTimeout(timer));
  };

  const admit = async (request: AdmissionRequest): Promise<Admission> => {
    const { identity, room, takesSeat, record: event } = request;
    const nowMs = now();
    const seatTerms = {
      holdMs: config.seatHoldSeconds * 1000,
      duplicateIdentity: config.duplicateIdentity,
      nowMs,
    };
    const entry = event && auditEntryOf(event, nowMs);
    // One round trip for what every token needs: its ban, its cap, its seat, its audit entry.
    const admittance = await withStore((s) =>
      s.admit({
        identity,
        room,
        takesSeat,
        defaultMaxParticipants: config.roomMaxParticipants,
        ...seatTerms,
        entry,
      }),
    );
    if (admittance.ban !== undefined) {
      const { ban } = admittance;
      throw new HttpError(
        'BANNED',
        ban.room === null
          ? `${identity} is banned from every room on this server${ban.expiresAtMs === null ? '' : ` until ${new Date(ban.expiresAtMs).toISOString()}`}.`
          : `${identity} is banned from this room${ban.expiresAtMs === null ? '' : ` until ${new Date(ban.expiresAtMs).toISOString()}`}.`,
      );
    }
    const { maxParticipants } = admittance;
    if (admittance.claim === undefined) return { maxParticipants };
    const seatRequest = { room, identity, maxParticipants, ...seatTerms };
    let claim = admittance.claim;
    if (claim.outcome !== 'granted' && roomService !== undefined) {
      // Webhooks are best-effort: before refusing on presence not heard of lately, ask LiveKit.
      const { lastHeardMs } = await withStore((s) => s.occupancy(room, nowMs));
      if (
        (lastHeardMs === null || nowMs - lastHeardMs > PRESENCE_TRUSTED_FOR_MS) &&
        (await reconciledWithin(room, parts.reconcileWaitMs ?? RECONCILE_WAIT_MS))
      ) {
        claim = await withStore((s) => s.claimSeat({ ...seatRequest, nowMs: now() }));
        // Admitted on LiveKit's list rather than in the store's one step: recorded now.
        if (claim.outcome === 'granted' && entry !== undefined) {
          await withStore((s) => s.appendAudit(entry));
        }
      }
    }
    if (claim.outcome === 'full') {
      throw new HttpError(
        'ROOM_FULL',
        `The room is full: ${claim.seats} of ${maxParticipants ?? 0} seats are taken or held by tokens not yet used.`,
      );
    }
    if (claim.outcome === 'identity-in-use') {
      throw new HttpError(
        'IDENTITY_IN_USE',
        `${identity} is already in this room, and this server refuses a second connection (DUPLICATE_IDENTITY=refuse).`,
      );
    }
    return { maxParticipants };
  };

  const ban = async (request: BanRequest, requestId: string | null): Promise<Ban> => {
    const { durationMs, ...fields } = request;
    const createdAtMs = now();
    const made: Ban = {
      ...fields,
      createdAtMs,
      expiresAtMs: durationMs === null ? null : createdAtMs + durationMs,
    };
    await withStore((s) => s.addBan(made));
    await record(
      {
        event: 'ban_added',
        room: made.room,
        identity: made.identity,
        actor: made.createdBy,
        requestId,
        details: {
          ban_id: made.id,
          reason: made.reason,
          expires_at: made.expiresAtMs === null ? null : new Date(made.expiresAtMs).toISOString(),
        },
      },
      made.createdAtMs,
    );
    if (made.room !== null) kick(made.room, made.identity);
    return made;
  };

  return {
    store,
    open,
    admit,
    record,
    ban,
    kick,
    reconcile,
    withStore,
    close: async () => {
      clearInterval(pruning);
      await opened?.close();
    },
  };
}
