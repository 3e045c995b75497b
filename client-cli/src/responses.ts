// What the token server answers to POST /token and POST /validate, and the checks that an
// answer really has that shape: an answer from another service on the port must not pass.

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
