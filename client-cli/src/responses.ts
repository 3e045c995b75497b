// What the token server answers to POST /token and POST /validate, and to a guest in its
// waiting room (POST /token's 202, GET /lobby/{id}), and the checks that an answer really has
// that shape: an answer from another service on the port must not pass.

/** The token server's success answer to `POST /token`. */
export interface TokenResponse {
  /** The signed LiveKit access token (a JWT). */
  token: string;
  /** The room the token lets its holder join. */
  room_name: string;
  /** The participant identity, the token's `sub`. */
  identity: string;
  /** The role whose grants the token carries; absent from servers that predate roles. */
  role?: string;
  /** When the token expires, as ISO 8601. */
  expires_at: string;
  /** The LiveKit server to connect to, when the token server is configured with one. */
  server_url?: string;
}

/** A token as the server answered it. */
export interface IssuedToken {
  /** The parsed answer. */
  response: TokenResponse;
  /** The answer's body as received, so `--json` can print the server's JSON as it is. */
  responseText: string;
  /**
   * What responseText parses to, when that is not `response` itself: the waiting room's
   * answer, `{"lobby": ..., "connection_details": ...}`, whose token `response` holds.
   */
  answer?: unknown;
}

/** The token server's answer to `POST /validate` for a token it accepts. */
export interface ValidationResponse {
  valid: true;
  /** The token's `sub`, or null when it has none. */
  identity: string | null;
  /** The participant's display name, the token's `name`, or null. */
  name: string | null;
  /** The room the token grants, or null. */
  room: string | null;
  /** When the token expires, as ISO 8601. */
  expires_at: string;
  /** The token's `video` claim: LiveKit's VideoGrant. */
  grants: Record<string, unknown>;
  /** The participant metadata, or null; absent from servers that predate it. */
  metadata?: string | null;
  /** The participant attributes, or null; absent from servers that predate them. */
  attributes?: Record<string, unknown> | null;
  /** The room configuration (e.g. agents to dispatch), or null; absent from older servers. */
  room_config?: Record<string, unknown> | null;
}

/** A validation as the server answered it. */
export interface TokenValidation {
  /** The parsed answer, unknown fields included, so `--json` can print all of it. */
  response: ValidationResponse;
}

/** A JSON object (not null, not an array), whose fields can be looked at. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JWT in compact form: three base64url segments joined by dots, and nothing else. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Whether `token` has the shape of a JWT, as every LiveKit token does. Nothing else is printed
 * as a token: it may be printed raw (by --quiet, for $(...)), and a JWT holds nothing that a
 * terminal, a shell or a .env file reads specially.
 */
export function isJwtShaped(token: string): boolean {
  return JWT_SHAPE.test(token);
}

/** Whether `value` is a success answer of `POST /token`: a non-empty token and its facts. */
export function isTokenResponse(value: unknown): value is TokenResponse {
  return (
    isRecord(value) &&
    typeof value.token === 'string' &&
    value.token !== '' &&
    typeof value.room_name === 'string' &&
    typeof value.identity === 'string' &&
    typeof value.expires_at === 'string' &&
    (value.role === undefined || typeof value.role === 'string') &&
    (value.server_url === undefined || typeof value.server_url === 'string')
  );
}

/**
 * Whether `value` is an answer of `POST /validate` for a token it accepts. The fields that
 * older servers leave out may be absent or null, but not of another type.
 */
export function isValidationResponse(value: unknown): value is ValidationResponse {
  const stringOrNull = (field: unknown) => field === null || typeof field === 'string';
  const optional = (field: unknown, check: (present: unknown) => boolean) =>
    field === undefined || field === null || check(field);
  return (
    isRecord(value) &&
    value.valid === true &&
    stringOrNull(value.identity) &&
    stringOrNull(value.name) &&
    stringOrNull(value.room) &&
    typeof value.expires_at === 'string' &&
    isRecord(value.grants) &&
    optional(value.metadata, (field) => typeof field === 'string') &&
    optional(value.attributes, isRecord) &&
    optional(value.room_config, isRecord)
  );
}

/**
 * A guest's place in the waiting room, as `POST /token` answers it (202) for an invite to a
 * room with a waiting room; a moderator admits or denies the guest.
 */
export interface LobbyTicket {
  /** The waiting room entry's id, as `token-admin lobby list` shows it to moderators. */
  id: string;
  /** The secret that lets this guest alone poll its place (`GET /lobby/{id}`): never shown. */
  poll_token: string;
  status: 'waiting';
  /** When the guest stops waiting, unless a moderator decided before; ISO 8601. */
  expires_at: string;
}

/** Where a guest stands in the waiting room. */
export type LobbyStatus = 'waiting' | 'admitted' | 'denied' | 'expired';

/** What an admitted guest connects with, as `POST /connection-details` answers it. */
export interface ConnectionDetails {
  /** The LiveKit server to connect to. */
  server_url: string;
  /** The signed LiveKit access token (a JWT). */
  participant_token: string;
  room_name: string;
  participant_identity: string;
  /** The display name, when the token carries one. */
  participant_name?: string;
  role: string;
  /** When the token expires, as ISO 8601. */
  expires_at: string;
}

/** The answer of `GET /lobby/{id}`: the guest's status, and once admitted, what to connect with. */
export interface LobbyPoll {
  lobby: {
    id: string;
    status: LobbyStatus;
    expires_at: string;
    /** True when an earlier poll already took the connection details, which come only once. */
    collected?: boolean;
  };
  /** Only in the first answer that says `admitted`. */
  connection_details?: ConnectionDetails;
}

const LOBBY_STATUSES: ReadonlySet<unknown> = new Set(['waiting', 'admitted', 'denied', 'expired']);

/**
 * A poll token is sent back as a header and never shown: only base64url, which a header holds
 * as is, passes (the server's are 43 characters; the bounds leave it room to change).
 */
const POLL_TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,512}$/;

/** Whether `value` is the 202 answer of `POST /token`: `{"lobby": <a place, waiting>}`. */
export function isLobbyTicketAnswer(value: unknown): value is { lobby: LobbyTicket } {
  if (!isRecord(value) || !isRecord(value.lobby)) return false;
  const { lobby } = value;
  return (
    typeof lobby.id === 'string' &&
    lobby.id !== '' &&
    typeof lobby.poll_token === 'string' &&
    POLL_TOKEN_SHAPE.test(lobby.poll_token) &&
    lobby.status === 'waiting' &&
    typeof lobby.expires_at === 'string'
  );
}

/** Whether `value` is connection details, the token's shape not checked yet. */
export function isConnectionDetails(value: unknown): value is ConnectionDetails {
  return (
    isRecord(value) &&
    typeof value.server_url === 'string' &&
    typeof value.participant_token === 'string' &&
    typeof value.room_name === 'string' &&
    typeof value.participant_identity === 'string' &&
    (value.participant_name === undefined || typeof value.participant_name === 'string') &&
    typeof value.role === 'string' &&
    typeof value.expires_at === 'string'
  );
}

/** Whether `value` is an answer of `GET /lobby/{id}`; connection details only when admitted. */
export function isLobbyPoll(value: unknown): value is LobbyPoll {
  if (!isRecord(value) || !isRecord(value.lobby)) return false;
  const { lobby } = value;
  const details = value.connection_details;
  return (
    typeof lobby.id === 'string' &&
    LOBBY_STATUSES.has(lobby.status) &&
    typeof lobby.expires_at === 'string' &&
    (lobby.collected === undefined || typeof lobby.collected === 'boolean') &&
    (details === undefined || (lobby.status === 'admitted' && isConnectionDetails(details)))
  );
}
