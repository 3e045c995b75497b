// The moderation state behind one small interface: bans, room limits, seats, presence from
// LiveKit's webhooks, processed webhook ids and the audit trail. Two stores implement it
// (rate-limiter-flexible's way: one file per store): SQLite in DATA_DIR by default
// (sqlite-store.ts) and Redis with REDIS_URL (redis-store.ts), both checked by one contract
// suite (__tests__/server/moderation/store.contract.ts). Atomic operations (a seat) are the
// store's job, never read-then-write in a route. A leaf module: it imports nothing of ours.
//
// Times are epoch milliseconds, given by the caller (`nowMs`), so that tests need no clock.

/** A ban: an identity kept out of one room, or out of every room. */
export interface Ban {
  /** Unique, chosen by the caller (a random UUID). */
  id: string;
  identity: string;
  /** The room the ban holds for; null for every room. */
  room: string | null;
  reason: string | null;
  createdAtMs: number;
  /** When the ban stops applying; null until it is lifted. */
  expiresAtMs: number | null;
  /** Who banned: a caller label (`api-key:<name>`, `login:<sub>`, `livekit:<identity>`), never a key. */
  createdBy: string;
}

/** What to filter bans by; absent fields match all. `room` matches bans of that room only. */
export interface BanFilter {
  room?: string;
  identity?: string;
}

/**
 * Where a page of bans starts: after this ban, in the order bans are listed (oldest first,
 * then by id). A ban lifted meanwhile still marks the place, so no ban is skipped.
 */
export interface BanCursor {
  createdAtMs: number;
  id: string;
}

/** Which bans to list: those matching the filter, `limit` at most, after `after`. */
export interface BanQuery extends BanFilter {
  limit: number;
  after?: BanCursor;
}

/** A page of bans, and where the next starts when there are more. */
export interface BanPage {
  bans: Ban[];
  next?: BanCursor;
}

/** Asks for a seat in a room for one identity, atomically across instances. */
export interface SeatRequest {
  room: string;
  identity: string;
  /** The room's cap; undefined for none (a seat is still held, to count the room). */
  maxParticipants: number | undefined;
  /** How long the seat is held for a token that has not joined yet, in milliseconds. */
  holdMs: number;
  /** `refuse`: an identity already present in the room gets `identity-in-use`. */
  duplicateIdentity: 'replace' | 'refuse';
  nowMs: number;
}

/**
 * The answer to a seat request. Seats are the participants present plus the unexpired
 * holds of identities not present; an identity already present or holding one takes no
 * second seat (a reconnect or a refresh), and its hold is renewed.
 */
export type SeatClaim =
  | { outcome: 'granted'; seats: number }
  | { outcome: 'full'; seats: number }
  | { outcome: 'identity-in-use' };

/** A token about to be issued, as the store admits it: its ban, its room's cap, its seat. */
export interface AdmitRequest {
  room: string;
  identity: string;
  /** The cap of a room without one of its own (ROOM_MAX_PARTICIPANTS); undefined for none. */
  defaultMaxParticipants: number | undefined;
  /** False for roles whose grant is agent or recorder: they take no seat, as in LiveKit. */
  takesSeat: boolean;
  /** As in SeatRequest. */
  holdMs: number;
  duplicateIdentity: 'replace' | 'refuse';
  nowMs: number;
  /**
   * The token's audit entry (token_issued), appended in the same step when the token is
   * admitted (no ban; no seat needed, or one granted), and only then: a token admitted is
   * recorded, and one refused leaves no entry.
   */
  entry?: AuditEntry;
}

/**
 * What the store decided, in one step: a ban in force (then nothing else is done), else the
 * cap the room has and, when a seat was needed (a cap, or DUPLICATE_IDENTITY=refuse, for a
 * role that takes one), the claim as claimSeat answers it.
 */
export type Admittance =
  | { ban: Ban }
  | { ban?: undefined; maxParticipants: number | undefined; claim: SeatClaim | undefined };

/**
 * Whether a token needs a seat: a role that takes one, in a room with a cap or on a server
 * that refuses a second connection of an identity. Without either, nothing is counted.
 */
export function needsSeat(
  request: Pick<AdmitRequest, 'takesSeat' | 'duplicateIdentity'>,
  maxParticipants: number | undefined,
): boolean {
  return (
    request.takesSeat && (maxParticipants !== undefined || request.duplicateIdentity === 'refuse')
  );
}

/** Who the store knows to be in a room. */
export interface RoomOccupancy {
  /** Identities present, from webhooks and reconciliation, sorted. */
  participants: string[];
  /** Identities holding an unexpired seat that are not present, sorted. */
  held: string[];
  /** When presence was last heard of (a webhook or a reconciliation); null if never. */
  lastHeardMs: number | null;
}

/** One entry of the audit trail. Never holds a token or a key. */
export interface AuditEntry {
  atMs: number;
  /** What happened: `token_issued`, `ban_added`, `participant_joined`, ... (docs/moderation.md). */
  event: string;
  /** The room it concerns; null for acts on every room (a ban everywhere). */
  room: string | null;
  identity: string | null;
  /** Who did it: a caller label, `livekit` for webhooks; null when nobody did. */
  actor: string | null;
  /** The request it came from (X-Request-Id), when one. */
  requestId: string | null;
  /** Event-specific facts (role, expiry, reason), flat and small. */
  details: Record<string, string | number | boolean | null>;
}

/** A stored audit entry, with the store's sortable id. */
export interface StoredAuditEntry extends AuditEntry {
  id: string;
}

/** What to read of a room's audit trail, oldest first. */
export interface AuditQuery {
  room: string;
  /** Entries at or after this time. */
  sinceMs?: number;
  /** Entries before this time. */
  untilMs?: number;
  identity?: string;
  /** At most this many entries (1 to 1000). */
  limit: number;
  /** The `next` of the previous page: entries after it. */
  after?: string;
}

/** A page of the audit trail; `next` is absent on the last page. */
export interface AuditPage {
  entries: StoredAuditEntry[];
  next?: string;
}

/**
 * An invite: a code, stored only as its hash, that lets guests into one room with one role,
 * a bounded number of times, until it expires.
 */
export interface Invite {
  /** Unique, chosen by the caller (a random UUID). */
  id: string;
  /** The SHA-256 of the code as invite-code.ts normalizes it, in hex: never the code. */
  codeHash: string;
  room: string;
  role: string;
  /** The identity every guest of this invite gets; null: each guest a generated one. */
  identity: string | null;
  /** The display name guests get when they give none; null: none. */
  name: string | null;
  /** How many redemptions the invite allows (1 or more). */
  maxUses: number;
  /** How many it has had. */
  uses: number;
  /** Guests wait in the room's lobby until a moderator admits them. */
  waitingRoom: boolean;
  createdAtMs: number;
  /** When the invite stops working. */
  expiresAtMs: number;
  /** Who made it: a caller label, never a key. */
  createdBy: string;
}

/**
 * The answer to a redemption, decided atomically across instances: `redeemed` counted one
 * use (the invite shows the new count); the others counted nothing. A revoked invite is
 * gone, so it answers `not-found`, as an unknown code does.
 */
export type InviteRedemption =
  | { outcome: 'redeemed'; invite: Invite }
  | { outcome: 'not-found' }
  | { outcome: 'expired' }
  | { outcome: 'used-up' };

/** A guest in a room's lobby (an invite with a waiting room), from arrival to decision. */
export interface LobbyEntry {
  /** Unique, chosen by the caller (a random UUID). */
  id: string;
  room: string;
  /** The invite redeemed to get here. */
  inviteId: string;
  /** The SHA-256 of the guest's poll token, in hex: never the token. */
  pollTokenHash: string;
  /** The identity the guest's token will carry. */
  identity: string;
  /** The display name the guest gave, or the invite's; null: none. */
  name: string | null;
  role: string;
  status: 'waiting' | 'admitted' | 'denied';
  /** Whether the admitted guest has collected its connection details (once). */
  collected: boolean;
  createdAtMs: number;
  /** A guest still waiting at this time has waited too long (LOBBY_WAIT_SECONDS). */
  expiresAtMs: number;
  decidedAtMs: number | null;
  /** Who admitted or denied: a caller label. */
  decidedBy: string | null;
}

/**
 * Thrown by a store that cannot answer (Redis down, disk full, file locked): the routes
 * answer 503 MODERATION_UNAVAILABLE and nothing is assumed, so no ban is ever lost.
 */
export class ModerationStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModerationStoreUnavailableError';
  }
}

/** The moderation state; every method may reject with ModerationStoreUnavailableError. */
export interface ModerationStore {
  /** Which store this is, for /readyz, the start-up report and metrics. */
  readonly kind: 'sqlite' | 'redis';

  /** Stores a ban (its id is new). */
  addBan(ban: Ban): Promise<void>;
  /** The ban with this id, even expired, or undefined. */
  banById(id: string): Promise<Ban | undefined>;
  /** Bans in force at `nowMs` matching the query, oldest first (then by id), a page at a time. */
  listBans(query: BanQuery, nowMs: number): Promise<BanPage>;
  /** Lifts a ban; answers the ban lifted, or undefined when there was none. */
  removeBan(id: string): Promise<Ban | undefined>;
  /** A ban in force at `nowMs` keeping `identity` out of `room` (its own or every room's). */
  banFor(identity: string, room: string, nowMs: number): Promise<Ban | undefined>;

  /** Sets a room's cap, or clears it with null. */
  setRoomLimit(room: string, maxParticipants: number | null): Promise<void>;
  /** A room's cap, or undefined when it has none of its own. */
  roomLimit(room: string): Promise<number | undefined>;

  /**
   * Checks a token's ban and cap, claims its seat and appends its audit entry, in one round
   * trip where the store has round trips: what every token issued costs.
   */
  admit(request: AdmitRequest): Promise<Admittance>;
  /** Takes (or renews) a seat, atomically: no seat counted twice when instances race. */
  claimSeat(request: SeatRequest): Promise<SeatClaim>;
  /**
   * Records a participant's arrival (its hold, if any, becomes presence). Events older
   * than the last one recorded for that identity in that room are ignored: webhooks come
   * out of order.
   */
  participantJoined(room: string, identity: string, atMs: number): Promise<void>;
  /** Records a participant's leaving; older events ignored as above. */
  participantLeft(room: string, identity: string, atMs: number): Promise<void>;
  /** Replaces a room's presence with what LiveKit lists (reconciliation) at `atMs`. */
  replaceParticipants(room: string, identities: readonly string[], atMs: number): Promise<void>;
  /** Forgets a room's presence and holds (room_finished). */
  roomFinished(room: string, atMs: number): Promise<void>;
  /** Who is in a room at `nowMs`. */
  occupancy(room: string, nowMs: number): Promise<RoomOccupancy>;

  /** Marks a webhook event id processed; true the first time, false for a retry. */
  markWebhookProcessed(id: string, nowMs: number): Promise<boolean>;

  /** Stores an invite (its id and code hash are new). */
  createInvite(invite: Invite): Promise<void>;
  /** The invite with this id, even expired or used up, or undefined. */
  inviteById(id: string): Promise<Invite | undefined>;
  /** A room's invites, expired and used-up ones too until pruned, oldest first. */
  listInvites(room: string): Promise<Invite[]>;
  /** Deletes an invite; answers it, or undefined when there was none. */
  revokeInvite(id: string): Promise<Invite | undefined>;
  /**
   * Redeems the invite whose code hashes to `codeHash`: one use, atomically, so that 20
   * instances racing for the last use give it to one.
   */
  redeemInvite(codeHash: string, nowMs: number): Promise<InviteRedemption>;
  /** Gives back one use (never below 0), for a redemption whose token was then refused. */
  returnInviteUse(id: string): Promise<void>;

  /** Puts a guest in a room's lobby (its id is new). */
  addLobbyEntry(entry: LobbyEntry): Promise<void>;
  /** The lobby entry with this id, whatever its status, or undefined. */
  lobbyEntry(id: string): Promise<LobbyEntry | undefined>;
  /** The guests of a room still waiting at `nowMs` (not decided, not expired), oldest first. */
  listLobby(room: string, nowMs: number): Promise<LobbyEntry[]>;
  /**
   * Admits or denies a guest of `room`, atomically: only an entry still waiting at `nowMs`
   * changes, and its new state is answered; anything else (unknown, another room's, decided,
   * expired) answers undefined and changes nothing.
   */
  decideLobbyEntry(
    id: string,
    room: string,
    decision: 'admitted' | 'denied',
    decidedBy: string,
    nowMs: number,
  ): Promise<LobbyEntry | undefined>;
  /**
   * Marks an admitted guest's connection details as collected: true for the one call that
   * does (two polls racing on two instances get one token), false otherwise.
   */
  collectAdmission(id: string): Promise<boolean>;
  /** Undoes collectAdmission, for a token that was then refused (a ban, a full room). */
  returnAdmission(id: string): Promise<void>;

  /** Appends to the audit trail. */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Reads a room's audit trail. */
  listAudit(query: AuditQuery): Promise<AuditPage>;
  /**
   * Forgets audit entries older than `beforeMs`, expired bans and holds, webhook ids older
   * than a day, and invites and lobby entries expired over a day; answers how many audit
   * entries were removed.
   */
  prune(beforeMs: number, nowMs: number): Promise<number>;

  /** Closes the file or connection; later calls reject. */
  close(): Promise<void>;
}

/**
 * The invite and lobby part of the store, which each store keeps in a file of its own
 * (sqlite-invites.ts, redis-invites.ts) beside its other state.
 */
export type InviteAndLobbyStore = Pick<
  ModerationStore,
  | 'createInvite'
  | 'inviteById'
  | 'listInvites'
  | 'revokeInvite'
  | 'redeemInvite'
  | 'returnInviteUse'
  | 'addLobbyEntry'
  | 'lobbyEntry'
  | 'listLobby'
  | 'decideLobbyEntry'
  | 'collectAdmission'
  | 'returnAdmission'
>;
