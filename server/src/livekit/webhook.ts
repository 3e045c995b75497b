// LiveKit's webhooks, verified exactly as LiveKit signs them and read into the little that
// moderation uses. LiveKit (livekit/protocol, webhook/resource_url_notifier.go) POSTs the
// protojson of a WebhookEvent with `Content-Type: application/webhook+json` and an
// `Authorization` header holding, without `Bearer`, an HS256 access token of one of its API
// keys, valid five minutes, whose `sha256` claim is the base64 SHA-256 of the body. Nothing
// of the body is trusted, or even parsed, before that checksum matches. Knows nothing of HTTP.
import { createHash, timingSafeEqual } from 'node:crypto';
import { TokenSigner, type TokenErrorCode } from '../grants';
import {
  isJsonObject,
  ProtoShapeError,
  readInt64,
  readParticipantInfo,
  readString,
  type LivekitParticipant,
} from './participant';

/** A verified webhook event, narrowed to what moderation reads. Unknown events are kept. */
export interface WebhookEvent {
  /** LiveKit's unique id of the event (`EV_…`), the same on each retry of one delivery. */
  id: string;
  /** What happened: `participant_joined`, `room_finished`, ... or an event we do not know. */
  event: string;
  /** When LiveKit created the event, in epoch milliseconds (it sends whole seconds). */
  createdAtMs: number;
  /** The room it concerns, when it names one. */
  room?: { name: string };
  /** The participant it concerns, when it names one. */
  participant?: LivekitParticipant;
}

/** What a webhook request brought. */
export interface WebhookRequest {
  /** The body exactly as received: the checksum covers its bytes, not a re-serialisation. */
  rawBody: Buffer;
  /** The `Authorization` header. */
  authorization: string | undefined;
  /** The `Content-Type` header. */
  contentType: string | undefined;
  /** Every LiveKit API key accepted, key to secret (LIVEKIT_KEYS: rotation). */
  keys: ReadonlyMap<string, string>;
  /** The time to check the token's `nbf` and `exp` against, in epoch milliseconds. */
  nowMs: number;
}

/** Thrown for any webhook that is not a genuine LiveKit event; nothing of it was used. */
export class WebhookRejectedError extends Error {
  constructor(
    /** A short reason ('expired', 'unknown key', ...): never the body or the token. */
    readonly reason: string,
  ) {
    super(`The webhook was rejected: ${reason}.`);
    this.name = 'WebhookRejectedError';
  }
}

/**
 * The one media type accepted. LiveKit always sends it, and chose it (its notifier's comment:
 * "use a custom mime type to ensure signature is checked prior to parsing") so that no generic
 * JSON body parser consumes the body before its checksum is verified. `application/json` is
 * refused: nothing LiveKit sends carries it, and a route accepting it could be handed a body
 * some JSON parser had already taken, and re-serialised, before us.
 */
export const WEBHOOK_CONTENT_TYPE = 'application/webhook+json';

/** Short reasons for the token refusals of the grants module's verifier. */
const TOKEN_REFUSALS: Record<TokenErrorCode, string> = {
  TOKEN_EXPIRED: 'expired',
  TOKEN_NOT_YET_VALID: 'not yet valid',
  BAD_SIGNATURE: 'bad signature',
  WRONG_ISSUER: 'unknown key',
  MISSING_EXPIRY: 'no expiry',
  UNSUPPORTED_ALGORITHM: 'not HS256',
  MALFORMED_TOKEN: 'not a JWT',
};

// A verifier per key map: key objects are made once per configuration, not per webhook.
const verifiers = new WeakMap<ReadonlyMap<string, string>, TokenSigner | undefined>();

/**
 * The grants module's verifier over these keys: HS256 only, the secret chosen by the token's
 * `iss`, `exp` required, `exp` and `nbf` checked with 60 s of tolerance as LiveKit's own
 * servers check tokens. (The SDK's WebhookReceiver allows 10 s; LiveKit signs a webhook
 * token valid five minutes, so the wider tolerance only forgives skewed clocks.)
 */
function verifierFor(keys: ReadonlyMap<string, string>): TokenSigner | undefined {
  if (!verifiers.has(keys)) {
    const first = keys.entries().next();
    verifiers.set(
      keys,
      first.done === true
        ? undefined
        : new TokenSigner({ apiKey: first.value[0], apiSecret: first.value[1] }, keys),
    );
  }
  return verifiers.get(keys);
}

/** True for `application/webhook+json`, with or without parameters such as a charset. */
function isWebhookContentType(contentType: string | undefined): boolean {
  const essence = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  return essence === WEBHOOK_CONTENT_TYPE;
}

/** The base64 SHA-256 of the body, compared with the token's claim in constant time. */
function bodyMatches(rawBody: Buffer, claimed: string): boolean {
  const actual = Buffer.from(createHash('sha256').update(rawBody).digest('base64'), 'utf8');
  const expected = Buffer.from(claimed, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses the verified body, or throws 'not JSON'. */
function parseJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(utf8.decode(rawBody)) as unknown;
  } catch {
    throw new WebhookRejectedError('not JSON');
  }
}

/** Reads the WebhookEvent fields we use; throws ProtoShapeError naming the first wrong one. */
function readEvent(body: unknown): WebhookEvent {
  if (!isJsonObject(body)) throw new ProtoShapeError('the event');
  // LiveKit sets id, event and createdAt on every event; without them there is nothing to
  // deduplicate retries by, or to order events by.
  const id = readString(body.id, 'id');
  if (id === undefined || id === '') throw new ProtoShapeError('id');
  const event = readString(body.event, 'event');
  if (event === undefined || event === '') throw new ProtoShapeError('event');
  const createdAt = readInt64(body.createdAt ?? body.created_at, 'createdAt');
  if (createdAt === undefined || createdAt <= 0) throw new ProtoShapeError('createdAt');
  const result: WebhookEvent = { id, event, createdAtMs: createdAt * 1000 };
  if (body.room !== undefined && body.room !== null) {
    if (!isJsonObject(body.room)) throw new ProtoShapeError('room');
    const name = readString(body.room.name, 'room.name');
    if (name !== undefined && name !== '') result.room = { name };
  }
  if (body.participant !== undefined && body.participant !== null) {
    result.participant = readParticipantInfo(body.participant);
  }
  return result;
}

/**
 * Verifies a LiveKit webhook and reads its event. Throws WebhookRejectedError, with a short
 * reason, for a wrong content type, a missing or bad token (unknown key, wrong secret, not
 * HS256, expired), a body other than the one signed, or a body that is not a WebhookEvent.
 */
export function verifyWebhook(request: WebhookRequest): WebhookEvent {
  if (!isWebhookContentType(request.contentType)) {
    throw new WebhookRejectedError(`not ${WEBHOOK_CONTENT_TYPE}`);
  }
  const header = request.authorization?.trim() ?? '';
  if (header === '') throw new WebhookRejectedError('no Authorization');
  // LiveKit sends the bare token; `Bearer <token>` is accepted too, as hand-made senders and
  // proxies write it (the SDK's receiver would refuse it).
  const token = /^bearer\s/i.test(header) ? header.slice(6).trim() : header;
  const verifier = verifierFor(request.keys);
  if (verifier === undefined) throw new WebhookRejectedError('unknown key');
  const verified = verifier.verify(token, new Date(request.nowMs));
  if (!verified.valid) throw new WebhookRejectedError(TOKEN_REFUSALS[verified.code]);
  const claimed = verified.claims.sha256;
  if (typeof claimed !== 'string' || claimed === '') {
    throw new WebhookRejectedError('token signs no body (no sha256)');
  }
  if (!bodyMatches(request.rawBody, claimed)) {
    throw new WebhookRejectedError('body does not match its signature');
  }
  const body = parseJson(request.rawBody);
  try {
    return readEvent(body);
  } catch (error) {
    if (error instanceof ProtoShapeError) {
      throw new WebhookRejectedError(`not a webhook event: ${error.message}`);
    }
    throw error;
  }
}
