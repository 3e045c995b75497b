// A client of LiveKit's RoomService over Twirp (JSON over HTTP POST) with the global fetch:
// what moderation asks of LiveKit (remove a participant, list a room's participants). Every
// call is bounded (a timeout per attempt, a few retries on outages only) and each outage is
// logged once, however many calls fail during it. The admin token is signed for the one room
// a call concerns, lives one minute, and is never logged.
import type { TokenSigner } from '../grants';
import type { Logger } from '../logger';
import {
  isJsonObject,
  ProtoShapeError,
  readParticipantInfo,
  type LivekitParticipant,
} from './participant';

export type { LivekitParticipant } from './participant';

/** What moderation asks of LiveKit's RoomService. */
export interface RoomService {
  /**
   * Disconnects a participant from a room and revokes, on LiveKit Cloud, the tokens issued to
   * it before now (self-hosted LiveKit ignores the revocation). A participant that is not in
   * the room (Twirp `not_found`) is what was wanted: it resolves.
   */
  removeParticipant(room: string, identity: string): Promise<void>;
  /** The participants of a room; none for a room LiveKit does not know (`not_found`). */
  listParticipants(room: string): Promise<LivekitParticipant[]>;
}

/** How to reach LiveKit's RoomService. */
export interface RoomServiceOptions {
  /** The LiveKit server's URL: ws://, wss://, http:// or https://. */
  livekitUrl: string;
  /** Signs the admin tokens; its signing key must be one the LiveKit server accepts. */
  signer: TokenSigner;
  logger: Logger;
  /** Longest one attempt may take, body included, in milliseconds (default 2000). */
  timeoutMs?: number;
  /** Further attempts after a network error, a timeout or a 5xx (default 2). */
  retries?: number;
  /** Wait before the first retry, doubled for each next one, in milliseconds (default 100). */
  backoffMs?: number;
  /** The fetch to call; tests may pass their own. */
  fetch?: typeof fetch;
  /** The clock, in epoch milliseconds, for tokens and revocation. */
  nowMs?: () => number;
}

/**
 * Thrown when LiveKit could not do what was asked: unreachable, too slow, answering 5xx
 * after every retry, or refusing the call (a 4xx other than `not_found`, such as
 * `unauthenticated` when our key is not one it accepts).
 */
export class LivekitUnavailableError extends Error {
  constructor(
    /** A short reason fit for logs and answers: never a token, a body or a secret. */
    readonly reason: string,
    /** The HTTP status LiveKit answered with; undefined when it did not answer. */
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(`LiveKit is unavailable: ${reason}`, options);
    this.name = 'LivekitUnavailableError';
  }
}

/** The identity of the admin tokens, shown in LiveKit's logs as the caller. */
export const ADMIN_TOKEN_IDENTITY = 'token-server';
/** How long an admin token lives, in seconds: enough for one call and its retries. */
export const ADMIN_TOKEN_TTL_SECONDS = 60;
const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_RETRIES = 2;
const DEFAULT_BACKOFF_MS = 100;
/** A Twirp error code as Twirp writes them (`not_found`, `unauthenticated`), quoted in reasons. */
const TWIRP_CODE = /^[a-z_]{1,32}$/;

/** The RoomService's Twirp base: LiveKit serves it on the same host as its WebSocket. */
function twirpBase(livekitUrl: string): string {
  const url = new URL(livekitUrl);
  // The SDK turns ws into http the same way; credentials and queries are no part of Twirp.
  const protocol =
    url.protocol === 'wss:' ? 'https:' : url.protocol === 'ws:' ? 'http:' : url.protocol;
  return `${protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}/twirp/livekit.RoomService`;
}

/** One attempt's outcome: an answer, or a failure worth another attempt or not. */
type Attempt =
  | { ok: true; status: number; body: unknown }
  | { ok: false; retryable: boolean; error: LivekitUnavailableError };

/** Why fetch itself failed, short: a timeout, or the system's error code. */
function networkReason(error: unknown, timeoutMs: number): string {
  // Read by shape, not instanceof: fetch's errors may come from another realm (a vm context).
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: { code?: unknown } };
  if (name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = cause?.code;
  return typeof code === 'string' && /^[A-Z_]{1,32}$/.test(code)
    ? `network error (${code})`
    : 'network error';
}

/** Reads a Twirp error's code from its JSON body; undefined when it has none we can quote. */
function twirpCode(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const code = isJsonObject(parsed) ? parsed.code : undefined;
    return typeof code === 'string' && TWIRP_CODE.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Creates a RoomService client; it holds no connection until a call is made. */
export function createRoomService(options: RoomServiceOptions): RoomService {
  const base = twirpBase(options.livekitUrl);
  const { signer, logger } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const fetchFn = options.fetch ?? fetch;
  const nowMs = options.nowMs ?? Date.now;
  // One warning per outage: set by the first failure, cleared (and said) by the next success.
  let down = false;

  const attempt = async (method: string, room: string, body: object): Promise<Attempt> => {
    // Signed per attempt, so that a retry never carries a token about to expire.
    const { token } = signer.sign(
      {
        identity: ADMIN_TOKEN_IDENTITY,
        video: { roomAdmin: true, room },
        ttlSeconds: ADMIN_TOKEN_TTL_SECONDS,
      },
      new Date(nowMs()),
    );
    try {
      const response = await fetchFn(`${base}/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        // Covers the body too: a LiveKit that sends headers and then stalls is bounded as well.
        signal: AbortSignal.timeout(timeoutMs),
        // A RoomService never redirects; following one would hand our token to another host.
        redirect: 'manual',
      });
      const text = await response.text();
      if (response.status >= 200 && response.status < 300) {
        try {
          return { ok: true, status: response.status, body: JSON.parse(text) as unknown };
        } catch (error) {
          const reason = `${method} answered ${response.status} with something other than JSON`;
          return {
            ok: false,
            retryable: false,
            error: new LivekitUnavailableError(reason, response.status, { cause: error }),
          };
        }
      }
      const code = twirpCode(text);
      // Only Twirp's own not_found: a 404 without it (a proxy's page, Twirp's bad_route for a
      // wrong path) says nothing about the participant, and must not pass for success.
      if (code === 'not_found') {
        return { ok: true, status: response.status, body: undefined };
      }
      const reason = `${method} answered ${response.status}${code === undefined ? '' : ` ${code}`}`;
      return {
        ok: false,
        retryable: response.status >= 500,
        error: new LivekitUnavailableError(reason, response.status),
      };
    } catch (error) {
      const reason = `${method}: ${networkReason(error, timeoutMs)}`;
      return {
        ok: false,
        retryable: true,
        error: new LivekitUnavailableError(reason, undefined, { cause: error }),
      };
    }
  };

  /** Calls a method with retries, says outages once, and answers the body (undefined for not_found). */
  const call = async (method: string, room: string, body: object): Promise<unknown> => {
    let outcome = await attempt(method, room, body);
    for (let retry = 0; !outcome.ok && outcome.retryable && retry < retries; retry += 1) {
      await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** retry));
      outcome = await attempt(method, room, body);
    }
    if (!outcome.ok) {
      if (!down) {
        down = true;
        logger.warn('LiveKit does not answer: moderation calls to it fail until it does', {
          event: 'livekit_unavailable',
          method,
          reason: outcome.error.reason,
        });
      }
      throw outcome.error;
    }
    if (down) {
      down = false;
      logger.info('LiveKit answers again', { event: 'livekit_available', method });
    }
    return outcome.body;
  };

  return {
    async removeParticipant(room, identity) {
      // The names the official SDK writes (protojson's JSON names, int64 as a decimal string);
      // LiveKit's Twirp server reads these as well as the proto names (revoke_token_ts).
      const revokeTokenTs = String(Math.floor(nowMs() / 1000));
      await call('RemoveParticipant', room, { room, identity, revokeTokenTs });
    },

    async listParticipants(room) {
      const body = await call('ListParticipants', room, { room });
      if (body === undefined) return [];
      try {
        if (!isJsonObject(body)) throw new ProtoShapeError('ListParticipantsResponse');
        const participants = body.participants ?? [];
        if (!Array.isArray(participants)) throw new ProtoShapeError('participants');
        return participants.map((entry, index) =>
          readParticipantInfo(entry, `participants[${index}]`),
        );
      } catch (error) {
        // A shape we cannot read is refused whole: dropping one participant would free its seat.
        if (!(error instanceof ProtoShapeError)) throw error;
        throw new LivekitUnavailableError(
          `ListParticipants answered JSON of the wrong shape: ${error.message}`,
          200,
          { cause: error },
        );
      }
    },
  };
}
