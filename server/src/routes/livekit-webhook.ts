// POST /livekit/webhook: LiveKit's webhooks (its `webhook.urls`), verified as LiveKit signs
// them, applied once each. Answers at once: LiveKit drops events queued over 30 s, and the
// slow part (removing a banned participant again) runs in the background.
import type { RequestHandler } from 'express';
import { HttpError } from '../errors';
import { verifyWebhook, WebhookRejectedError } from '../livekit/webhook';
import { applyWebhookEvent } from '../moderation/webhook-events';
import { sendJson } from '../respond';
import { livekitWebhookOperation } from './livekit-webhook.openapi';
import type { AppParts, Route } from './route';

/** LiveKit's events are a few KiB; a megabyte is room for any room's event. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/** `POST /livekit/webhook`. */
function livekitWebhookHandler({ config, logger, moderation }: AppParts): RequestHandler {
  return async (req, res) => {
    let event;
    try {
      event = verifyWebhook({
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        authorization: req.get('authorization'),
        contentType: req.get('content-type'),
        keys: config.livekitKeys,
        nowMs: Date.now(),
      });
    } catch (error) {
      if (!(error instanceof WebhookRejectedError)) throw error;
      // The reason only: never the body, never the token.
      logger.warn('webhook refused', { event: 'webhook_refused', reason: error.message });
      throw new HttpError('INVALID_WEBHOOK', `Webhook refused: ${error.message}.`);
    }
    const outcome = await applyWebhookEvent(moderation, event);
    sendJson(res, 200, { outcome });
  };
}

/** The route table's entry for LiveKit's webhooks. */
export const livekitWebhookRoute: Route = {
  method: 'post',
  path: '/livekit/webhook',
  access: { kind: 'webhook', bodyLimitBytes: () => WEBHOOK_BODY_LIMIT_BYTES },
  handler: livekitWebhookHandler,
  operation: livekitWebhookOperation,
};
