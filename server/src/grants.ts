// The grants module: LiveKit claims built by hand and signed HS256 with jsonwebtoken, and
// tokens verified as LiveKit servers verify them. Knows nothing of HTTP.
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/**
 * What a participant may do in a room. Field names and meanings mirror `VideoGrant` in
 * LiveKit's server SDK, since LiveKit servers read them by these exact names.
 */
export interface VideoGrant {
  /** Permission to create rooms. */
  roomCreate?: boolean;
  /** Permission to join a room; requires `room`. */
  roomJoin?: boolean;
  /** Permission to list available rooms. */
  roomList?: boolean;
  /** Permission to start a recording. */
  roomRecord?: boolean;
  /** Permission to control a specific room; requires `room`. */
  roomAdmin?: boolean;
  /** The name of the room the other permissions apply to. */
  room?: string;
  /** Permission to publish tracks. */
  canPublish?: boolean;
  /** Permission to subscribe to other participants' tracks. */
  canSubscribe?: boolean;
  /** Permission to publish data messages. */
  canPublishData?: boolean;
  /** Permission to update the participant's own metadata. */
  canUpdateOwnMetadata?: boolean;
  /** The participant is hidden from other participants. */
  hidden?: boolean;
  /** The participant is a recorder. */
  recorder?: boolean;
  /** Permission to manage ingress, for any room. */
  ingressAdmin?: boolean;
  /** Track sources the participant may publish; when set, it supersedes `canPublish`. */
  canPublishSources?: TrackSourceName[];
  /** The participant is an agent worker of LiveKit's Agents framework. */
  agent?: boolean;
  /** Permission to subscribe to the room's metrics. */
  canSubscribeMetrics?: boolean;
  /** Permission to manage an agent session through RemoteSession. */
  canManageAgentSession?: boolean;
  /** The room this participant may forward to. */
  destinationRoom?: string;
}

/** Track sources as LiveKit names them in `canPublishSources`. */
export type TrackSourceName = 'camera' | 'microphone' | 'screen_share' | 'screen_share_audio';

/** One agent to dispatch to the room when the participant joins. Mirrors `RoomAgentDispatch`. */
export interface RoomAgentDispatch {
  /** The name the agent registered with; absent for LiveKit's default agent. */
  agentName?: string;
  /** Handed to the agent's job as its metadata. */
  metadata?: string;
  /** Which deployment of the agent to dispatch (LiveKit Cloud). */
  deployment?: string;
}

/**
 * Settings of a room created by the participant's join. Mirrors `RoomConfiguration`, of
 * which this server writes only `agents` and `maxParticipants`, and only fields that are set: older LiveKit
 * servers refuse the default-filled fields the SDK writes.
 */
export interface RoomConfiguration {
  /** Agents dispatched to the room. */
  agents?: RoomAgentDispatch[];
  /** The room's cap on participants, applied by LiveKit when this join creates the room. */
  maxParticipants?: number;
}

/** The claims LiveKit reads beside the registered JWT claims. Mirrors the SDK's `ClaimGrants`. */
export interface ClaimGrants {
  /** Display name of the participant. */
  name?: string;
  /** Room permissions. */
  video?: VideoGrant;
  /** Opaque participant metadata, handed to other participants. */
  metadata?: string;
  /** Participant attributes, key to value. */
  attributes?: Record<string, string>;
  /** Settings of the room, applied when the join creates it. */
  roomConfig?: RoomConfiguration;
}

/** The full payload of a LiveKit access token as we sign it. */
export interface AccessTokenClaims extends ClaimGrants {
  /** Issuer: the LiveKit API key whose secret signed the token. */
  iss: string;
  /** Subject: the participant identity. */
  sub: string;
  /** Not before, in seconds since the epoch. */
  nbf: number;
  /** Expiry, in seconds since the epoch. */
  exp: number;
}

/** A LiveKit API key and its secret. */
export interface SigningKey {
  /** The API key, written as `iss`. */
  apiKey: string;
  /** The API secret, the HS256 key. */
  apiSecret: string;
}

/** Who gets a token, for which room and permissions, for how long. */
export interface TokenRequest {
  /** Participant identity, unique within the room. */
  identity: string;
  /** Display name; left out of the token when undefined or empty. */
  name?: string;
  /** Room permissions; `room` names the room. */
  video: VideoGrant;
  /** Token lifetime in seconds. */
  ttlSeconds: number;
  /** Participant metadata; left out when undefined or empty. */
  metadata?: string;
  /** Participant attributes. */
  attributes?: Record<string, string>;
  /** Room settings such as agent dispatch. */
  roomConfig?: RoomConfiguration;
}

/** A signed token and when it stops being accepted. */
export interface SignedToken {
  token: string;
  expiresAt: Date;
}

/** Every reason a token is refused: stable codes that `/validate` answers with. */
export const TOKEN_ERROR_CODES = [
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'BAD_SIGNATURE',
  'WRONG_ISSUER',
  'MISSING_EXPIRY',
  'UNSUPPORTED_ALGORITHM',
  'MALFORMED_TOKEN',
] as const;

/** Why a token was refused; stable codes that `/validate` answers with. */
export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

/** The claims of a verified token. `sub` is absent on tokens meant for server APIs. */
export interface VerifiedClaims extends ClaimGrants {
  iss: string;
  exp: number;
  sub?: string;
  nbf?: number;
  [claim: string]: unknown;
}

/** The outcome of verifying a token. */
export type VerificationResult =
  { valid: true; claims: VerifiedClaims } | { valid: false; code: TokenErrorCode; message: string };

/**
 * When a token signed at `now` for `ttlSeconds` expires: its `exp`, whole seconds from `nbf`.
 * Known before signing, so that the audit trail records it in the admission's own step.
 */
export function tokenExpiry(now: Date, ttlSeconds: number): Date {
  return new Date((Math.floor(now.getTime() / 1000) + ttlSeconds) * 1000);
}

/** LiveKit servers accept this much clock skew on `exp` and `nbf`, in seconds. */
export const CLOCK_TOLERANCE_SECONDS = 60;

/**
 * Signs LiveKit access tokens with one API key, and verifies tokens signed with any key it
 * accepts, so that keys can be rotated without downtime. Secrets become key objects once, so
 * each token costs only the HMAC.
 */
export class TokenSigner {
  readonly #apiKey: string;
  readonly #secretKey: KeyObject;
  /** Every accepted API key and its secret, the signing key among them. */
  readonly #acceptedKeys: ReadonlyMap<string, KeyObject>;

  constructor(signingKey: SigningKey, acceptedKeys: ReadonlyMap<string, string> = new Map()) {
    const toKeyObject = (secret: string) => createSecretKey(Buffer.from(secret, 'utf8'));
    this.#apiKey = signingKey.apiKey;
    this.#secretKey = toKeyObject(signingKey.apiSecret);
    this.#acceptedKeys = new Map([
      ...[...acceptedKeys].map(([key, secret]): [string, KeyObject] => [key, toKeyObject(secret)]),
      [signingKey.apiKey, this.#secretKey],
    ]);
  }

  /** Signs an HS256 token carrying the same claims as the SDK's `AccessToken`. */
  sign(request: TokenRequest, now: Date = new Date()): SignedToken {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    // Empty name and metadata are left out, as the SDK leaves them out.
    const claims: AccessTokenClaims = {
      ...(request.name ? { name: request.name } : {}),
      video: request.video,
      ...(request.metadata ? { metadata: request.metadata } : {}),
      ...(request.attributes === undefined ? {} : { attributes: request.attributes }),
      ...(request.roomConfig === undefined ? {} : { roomConfig: request.roomConfig }),
      iss: this.#apiKey,
      sub: request.identity,
      nbf: nowSeconds,
      exp: tokenExpiry(now, request.ttlSeconds).getTime() / 1000,
    };
    // iat is left out, as the SDK does: LiveKit reads nbf and exp only.
    const token = jwt.sign(claims, this.#secretKey, { algorithm: 'HS256', noTimestamp: true });
    return { token, expiresAt: new Date(claims.exp * 1000) };
  }

  /**
   * Verifies a token the way LiveKit servers do: HS256 only, issued by one of our API keys,
   * signed with that key's secret, `exp` required, `exp`/`nbf` checked with 60 s of tolerance.
   */
  verify(token: string, now: Date = new Date()): VerificationResult {
    const decoded = decodeUnverified(token);
    if (!decoded) {
      return refuse('MALFORMED_TOKEN', 'The token is not a well-formed JWT.');
    }
    // RFC 7515: a header that names critical extensions we do not implement must be refused.
    if (decoded.header.crit !== undefined) {
      return refuse(
        'MALFORMED_TOKEN',
        'The token’s header lists critical extensions (crit) that this server does not understand.',
      );
    }
    if (decoded.header.alg !== 'HS256') {
      return refuse(
        'UNSUPPORTED_ALGORITHM',
        `The token is signed with ${JSON.stringify(decoded.header.alg)}; only HS256 is accepted.`,
      );
    }
    const issuer = decoded.payload.iss;
    const secretKey = typeof issuer === 'string' ? this.#acceptedKeys.get(issuer) : undefined;
    if (secretKey === undefined) {
      return refuse(
        'WRONG_ISSUER',
        'The token was not issued for any API key this server accepts.',
      );
    }
    try {
      jwt.verify(token, secretKey, {
        algorithms: ['HS256'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        clockTimestamp: Math.floor(now.getTime() / 1000),
      });
    } catch (error) {
      return refuseVerification(error);
    }
    if (decoded.payload.exp === undefined) {
      return refuse('MISSING_EXPIRY', 'The token has no expiry (exp) claim.');
    }
    const badTime = TIME_CLAIMS.find((claim) => !isRepresentableTime(decoded.payload[claim]));
    if (badTime !== undefined) {
      return refuse('MALFORMED_TOKEN', `The token’s ${badTime} claim is not a usable time.`);
    }
    const { sub, name, video } = decoded.payload;
    if (
      (sub !== undefined && typeof sub !== 'string') ||
      (name !== undefined && typeof name !== 'string') ||
      (video !== undefined && (typeof video !== 'object' || video === null || Array.isArray(video)))
    ) {
      return refuse('MALFORMED_TOKEN', 'The token’s sub, name or video claim has the wrong type.');
    }
    return { valid: true, claims: decoded.payload as VerifiedClaims };
  }
}

/** The claims that hold times, in seconds since the epoch. */
const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;

/** JavaScript dates reach 8.64e15 ms either side of the epoch; later is no date at all. */
const MAX_TIME_SECONDS = 8.64e12;

/** True for an absent claim or a number of seconds a Date can hold. */
function isRepresentableTime(value: unknown): boolean {
  return (
    value === undefined ||
    (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_TIME_SECONDS)
  );
}

function refuse(code: TokenErrorCode, message: string): VerificationResult {
  return { valid: false, code, message };
}

/** Maps jsonwebtoken's errors, which it raises after checking the signature, to our codes. */
function refuseVerification(error: unknown): VerificationResult {
  if (error instanceof jwt.TokenExpiredError) {
    return refuse('TOKEN_EXPIRED', `The token expired at ${error.expiredAt.toISOString()}.`);
  }
  if (error instanceof jwt.NotBeforeError) {
    return refuse(
      'TOKEN_NOT_YET_VALID',
      `The token is not valid before ${error.date.toISOString()}.`,
    );
  }
  if (error instanceof jwt.JsonWebTokenError && error.message === 'invalid signature') {
    return refuse(
      'BAD_SIGNATURE',
      'The token’s signature does not match this server’s API secret.',
    );
  }
  return refuse('MALFORMED_TOKEN', 'The token’s claims are malformed.');
}

interface UnverifiedToken {
  header: { alg?: unknown; crit?: unknown };
  payload: Record<string, unknown>;
}

/** Decodes without verifying, or returns undefined for anything that is not a JSON-object JWT. */
export function decodeUnverified(token: string): UnverifiedToken | undefined {
  try {
    const decoded = jwt.decode(token, { complete: true, json: true });
    if (!decoded || typeof decoded.payload !== 'object' || decoded.payload === null) {
      return undefined;
    }
    if (Array.isArray(decoded.payload)) return undefined;
    return { header: decoded.header, payload: decoded.payload as Record<string, unknown> };
  } catch {
    // jws.decode throws on a payload that is not JSON; that is a malformed token.
    return undefined;
  }
}
