// LiveKit's ParticipantInfo, read from its JSON form into the little we use: who, whether
// they take a seat, and since when. Shared by the RoomService client (ListParticipants) and
// the webhook verifier (participant_joined, participant_left), so that both count seats by
// one rule. A leaf module: it imports nothing of ours.
//
// Protobuf's JSON mapping gives each field two names, and LiveKit uses both: webhooks are
// written with protojson's default lowerCamelCase (`joinedAtMs`), Twirp answers with the proto
// names (`joined_at_ms`, Twirp's Go default). int64 fields come as decimal strings, enums as
// their names ("AGENT"), and either may come as plain numbers; fields at their default value
// may be left out. Every reader here accepts all of these, as protojson's own parser does.

/** A participant of a LiveKit room, as seat counting sees it. */
export interface LivekitParticipant {
  /** The participant's identity, unique within its room. */
  identity: string;
  /**
   * Whether the participant counts towards the room's cap, by LiveKit's own rule for
   * `max_participants` (see `takesSeat`): false for agents and recorders (egress).
   */
  takesSeat: boolean;
  /** When the participant joined, in epoch milliseconds; null when LiveKit did not say. */
  joinedAtMs: number | null;
}

/** ParticipantInfo.Kind values that never take a seat, by name and number (livekit_models.proto). */
const DEPENDENT_KINDS: ReadonlySet<string | number> = new Set(['AGENT', 4, 'EGRESS', 2]);

/**
 * Whether a participant takes a seat, as LiveKit decides it for a room's `max_participants`.
 * livekit/livekit's `Room.Join` (pkg/rtc/room.go) counts only participants that are not
 * `IsDependent()`, and `ParticipantImpl.IsDependent` (pkg/rtc/participant.go) is: kind AGENT
 * or EGRESS, or a token granting `agent` or `recorder`. Hidden participants, INGRESS and SIP
 * participants do take a seat in LiveKit, so they take one here too: a cap we enforce that
 * LiveKit counts differently would let rooms fill past it, or refuse joins LiveKit allows.
 */
export function takesSeat(
  kind: unknown,
  /** ParticipantPermission as JSON: `agent` and `recorder` are read. */
  permission: Readonly<Record<string, unknown>>,
): boolean {
  if ((typeof kind === 'string' || typeof kind === 'number') && DEPENDENT_KINDS.has(kind)) {
    return false;
  }
  return permission.agent !== true && permission.recorder !== true;
}

/** A JSON object, as JSON.parse gives it. */
export type JsonObject = Record<string, unknown>;

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field under its JSON name (lowerCamelCase) or, failing that, its proto name. */
export function protoField(object: JsonObject, jsonName: string, protoName: string): unknown {
  return object[jsonName] ?? object[protoName];
}

/** Thrown when a value is not the protobuf JSON it should be; its message names the field only. */
export class ProtoShapeError extends Error {
  constructor(field: string) {
    super(`${field} has the wrong shape`);
    this.name = 'ProtoShapeError';
  }
}

/**
 * Reads an int64 as protojson writes it (a decimal string) or as it also reads it (a
 * number); undefined when absent. Values past 2^53 cannot be held exactly and are refused.
 */
export function readInt64(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
    throw new ProtoShapeError(field);
  }
  return number;
}

/** Reads an optional string field; undefined when absent. */
export function readString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ProtoShapeError(field);
  return value;
}

/**
 * Reads a ParticipantInfo in either JSON naming. Throws ProtoShapeError when it is not one,
 * or has no identity: every participant LiveKit reports has one.
 */
export function readParticipantInfo(value: unknown, field = 'participant'): LivekitParticipant {
  if (!isJsonObject(value)) throw new ProtoShapeError(field);
  const identity = readString(value.identity, `${field}.identity`);
  if (identity === undefined || identity === '') throw new ProtoShapeError(`${field}.identity`);
  const permission = value.permission ?? {};
  if (!isJsonObject(permission)) throw new ProtoShapeError(`${field}.permission`);
  const kind = value.kind;
  if (kind !== undefined && kind !== null && typeof kind !== 'string' && typeof kind !== 'number') {
    throw new ProtoShapeError(`${field}.kind`);
  }
  // joined_at_ms came later than joined_at (seconds); older servers send only the latter.
  // Zero is protobuf's "unset".
  const joinedAtMs = readInt64(
    protoField(value, 'joinedAtMs', 'joined_at_ms'),
    `${field}.joinedAtMs`,
  );
  const joinedAtSeconds = readInt64(
    protoField(value, 'joinedAt', 'joined_at'),
    `${field}.joinedAt`,
  );
  return {
    identity,
    takesSeat: takesSeat(kind, permission),
    joinedAtMs: joinedAtMs ? joinedAtMs : joinedAtSeconds ? joinedAtSeconds * 1000 : null,
  };
}
