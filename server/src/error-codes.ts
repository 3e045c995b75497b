// The error catalogue: every code the server answers with, declared once with its status
// and when it is answered, in the words of the API reference (fastify's lib/errors.js does
// the same). Raising an error names only its code (`new HttpError('ROLE_NOT_ALLOWED', ...)`)
// and takes its status from here, so the two cannot drift apart; /openapi.json and
// docs/api.md read this table too. A leaf module: it imports nothing.

/** One error code: its HTTP status and when it is answered. */
export interface ErrorCodeEntry {
  status: number;
  when: string;
}

/** Every `{ "error": { "code" } }` the server answers with, by code. */
export const ERROR_CODES = {
  VALIDATION_ERROR: {
    status: 400,
    when: 'a body field is missing, of the wrong type, breaks its rule, or is unknown; `details` names each (at most 20)',
  },
  MALFORMED_JSON: {
    status: 400,
    when: 'the body is not valid JSON, or is a bare JSON string or number',
  },
  REQUEST_ABORTED: { status: 400, when: 'the client stopped sending the body' },
  BAD_REQUEST: {
    status: 400,
    when: 'bytes that are not valid HTTP, or a URL with a malformed escape',
  },
  MISSING_TOKEN: { status: 400, when: 'no token to check' },
  AMBIGUOUS_TOKEN: { status: 400, when: 'two different tokens to check in one request' },
  INVALID_AUTHORIZATION_HEADER: {
    status: 400,
    when: 'an Authorization header that is not `Bearer <token>`',
  },
  AUTHENTICATION_REQUIRED: {
    status: 401,
    when: 'no caller credentials; WWW-Authenticate says how to send them',
  },
  INVALID_CREDENTIALS: {
    status: 401,
    when: 'a wrong API key, or a login JWT that is expired, for another issuer or audience, signed by an unknown key or algorithm, or without the identity claim',
  },
  INVALID_WEBHOOK: {
    status: 401,
    when: 'a webhook not signed as LiveKit signs: no or a bad Authorization JWT, an unknown key, expired, a body whose SHA-256 is not the `sha256` claim, or not application/webhook+json',
  },
  INVALID_POLL_TOKEN: {
    status: 401,
    when: "no poll token, or not this lobby entry's, in `Authorization: Bearer` on GET /lobby/{id}",
  },
  IDENTITY_MISMATCH: {
    status: 403,
    when: "a body identity (user_id, participant_identity) other than the login's identity",
  },
  ROOM_NOT_ALLOWED: { status: 403, when: 'room_name does not match ROOM_NAME_PATTERN' },
  ROLE_NOT_ALLOWED: {
    status: 403,
    when: 'a role (or, with no role, DEFAULT_ROLE) the caller may not ask for',
  },
  AGENT_NOT_ALLOWED: { status: 403, when: 'room_config names an agent not in AGENT_NAMES' },
  ATTRIBUTE_NOT_ALLOWED: {
    status: 403,
    when: "an attribute starting with lk., LiveKit's own, from a caller without an API key",
  },
  NOT_A_MODERATOR: {
    status: 403,
    when: 'a moderation route called by someone who may not moderate that room (API-key callers, logins with a roomAdmin role and LiveKit tokens with roomAdmin for the room may)',
  },
  BANNED: { status: 403, when: 'the identity is banned from that room, or from every room' },
  INVITE_NOT_FOR_ROOM: {
    status: 403,
    when: "a request with an invite names a room other than the invite's",
  },
  NOT_FOUND: { status: 404, when: 'no such route' },
  BAN_NOT_FOUND: { status: 404, when: 'no ban with that id (lifted, or never made)' },
  INVITE_NOT_FOUND: {
    status: 404,
    when: 'no invite with that code or id: mistyped, revoked, or never made (one answer for all)',
  },
  LOBBY_ENTRY_NOT_FOUND: {
    status: 404,
    when: "no guest waiting with that id in that room: unknown, another room's, already admitted or denied, or expired",
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    when: 'a known route with the wrong method; the Allow header names the right one',
  },
  REQUEST_TIMEOUT: { status: 408, when: 'a request not fully sent within 30 seconds' },
  ROOM_FULL: {
    status: 409,
    when: "the room's cap is reached: participants present plus seats held by tokens not yet joined",
  },
  IDENTITY_IN_USE: {
    status: 409,
    when: 'DUPLICATE_IDENTITY=refuse and that identity is already in the room',
  },
  INVITE_EXPIRED: { status: 410, when: 'the invite has expired' },
  INVITE_USED_UP: { status: 410, when: 'the invite has been redeemed as many times as it allows' },
  PAYLOAD_TOO_LARGE: { status: 413, when: 'the body is over the route’s limit' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    when: 'a body declared as anything but application/json, compressed, or in a charset other than UTF-8',
  },
  RATE_LIMITED: {
    status: 429,
    when: "over the caller's budget; Retry-After says how many seconds to wait",
  },
  HEADERS_TOO_LARGE: { status: 431, when: "headers or URL over Node's 16 KiB limit" },
  INTERNAL_ERROR: {
    status: 500,
    when: 'a bug: the answer is generic, the detail goes to the server’s log',
  },
  AUTH_UNAVAILABLE: {
    status: 503,
    when: "the login provider's keys cannot be had (JWKS down, erroring or not JSON)",
  },
  NOT_READY: {
    status: 503,
    when: 'this instance should get no traffic now: shutting down, or the login provider’s keys not there yet; `details` names each',
  },
  DOCS_UNAVAILABLE: {
    status: 503,
    when: 'GET /docs on a build without the API reference’s files (server/dist/docs): run `npm run build`',
  },
  MODERATION_UNAVAILABLE: {
    status: 503,
    when: 'the moderation store (the SQLite file in DATA_DIR, or Redis) cannot answer; nothing is issued rather than a ban missed',
  },
  LIVEKIT_URL_NOT_SET: {
    status: 503,
    when: 'the server has no LIVEKIT_URL, so it cannot tell clients where to connect',
  },
} as const satisfies Record<string, ErrorCodeEntry>;

/** A code the server answers errors with. */
export type ErrorCode = keyof typeof ERROR_CODES;
