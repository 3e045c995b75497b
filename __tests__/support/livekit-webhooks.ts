// LiveKit webhooks made as LiveKit makes them (livekit/protocol's webhook notifier): the
// event written by protobuf's JSON mapping, and an Authorization header holding, without
// `Bearer`, an HS256 access token valid five minutes whose `sha256` claim is the base64
// SHA-256 of that body. Signed with the official SDK, so that our verifier is judged by it.
import { createHash } from 'node:crypto';
import { AccessToken, WebhookEvent } from 'livekit-server-sdk';

/** The media type LiveKit sends webhooks with. */
export const WEBHOOK_CONTENT_TYPE = 'application/webhook+json';

/** A webhook request ready to send: its exact body and headers. */
export interface SignedWebhook {
  body: string;
  headers: { Authorization: string; 'Content-Type': string };
}

/** The base64 SHA-256 of a body, as the `sha256` claim holds it. */
export function bodySha256(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('base64');
}

/** An access token signing `body` (or any `sha256`), as LiveKit's notifier signs one. */
export async function webhookToken(
  sha256: string | undefined,
  credentials: { apiKey: string; apiSecret: string },
  ttlSeconds = 5 * 60,
): Promise<string> {
  const token = new AccessToken(credentials.apiKey, credentials.apiSecret, { ttl: ttlSeconds });
  if (sha256 !== undefined) token.sha256 = sha256;
  return token.toJwt();
}

/**
 * Signs a webhook for `event`, given in the protobuf JSON form of livekit.WebhookEvent
 * (`{ id, event, createdAt, room: { name }, participant: { identity, kind } }`). The event
 * is read and written again by the SDK's own WebhookEvent, so the body is byte for byte what
 * LiveKit would send, and a field LiveKit does not have fails here rather than in a route.
 */
export async function signedWebhook(
  event: Record<string, unknown>,
  credentials: { apiKey: string; apiSecret: string },
): Promise<SignedWebhook> {
  const body = WebhookEvent.fromJson(
    event as Parameters<typeof WebhookEvent.fromJson>[0],
  ).toJsonString();
  return {
    body,
    headers: {
      Authorization: await webhookToken(bodySha256(body), credentials),
      'Content-Type': WEBHOOK_CONTENT_TYPE,
    },
  };
}
