// POST /livekit/webhook as /openapi.json describes it.
import type { OperationContext } from '../openapi/guard';
import { errorResponses, jsonAnswer } from '../openapi/responses';
import type { Operation } from '../openapi/types';
import { MODERATION_STORE_ERRORS } from './moderation.openapi';

/** `POST /livekit/webhook` in the document. */
export function livekitWebhookOperation({ guard }: OperationContext): Operation {
  return {
    operationId: 'receiveLivekitWebhook',
    summary: "Receive LiveKit's webhooks",
    description:
      "For LiveKit's `webhook.urls`. Authorization holds the JWT LiveKit signs with one of this server's LiveKit keys (with or without `Bearer`), whose sha256 claim is the body's SHA-256; the body is `application/webhook+json`. Joins and leaves keep the room's seats; a banned identity that joins is removed again; each event id is applied once.",
    tags: ['moderation'],
    requestBody: {
      required: true,
      content: {
        'application/webhook+json': { schema: { type: 'object', required: ['id', 'event'] } },
      },
    },
    responses: {
      '200': jsonAnswer(
        'Received: `applied`, `duplicate` (a retry of an event already applied) or `ignored` (an event moderation does not use).',
        {
          type: 'object',
          required: ['outcome'],
          additionalProperties: false,
          properties: { outcome: { enum: ['applied', 'duplicate', 'ignored'] } },
        },
        guard.headers,
      ),
      ...errorResponses([...guard.errors, ...MODERATION_STORE_ERRORS], guard.headers),
    },
  };
}
