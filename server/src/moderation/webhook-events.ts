// What LiveKit's webhook events do to the moderation state: joins and leaves become
// presence (and seats), a banned identity that joins is removed again (LiveKit refreshes a
// connected client's token, so a removed participant can come back by itself), and every
// event is recorded in the audit trail. Each event id is applied once: LiveKit retries.
import type { Moderation } from './moderation';

/** A webhook event, as verified and narrowed by livekit/webhook.ts. */
export interface ModerationWebhookEvent {
  id: string;
  event: string;
  createdAtMs: number;
  room?: { name: string };
  participant?: { identity: string; takesSeat: boolean };
}

/** What applying an event came to, for the answer and the tests. */
export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored';

const LEFT_EVENTS = new Set(['participant_left', 'participant_connection_aborted']);

/** Applies one verified event; store failures reject (LiveKit then retries). */
export async function applyWebhookEvent(
  moderation: Moderation,
  event: ModerationWebhookEvent,
): Promise<WebhookOutcome> {
  const room = event.room?.name;
  if (room === undefined) return 'ignored';
  const first = await moderation.withStore((store) =>
    store.markWebhookProcessed(event.id, Date.now()),
  );
  if (!first) return 'duplicate';
  const at = event.createdAtMs;
  const participant = event.participant;
  const audit = (
    name: 'participant_joined' | 'participant_left' | 'room_started' | 'room_finished',
  ) =>
    moderation.record(
      {
        event: name,
        room,
        identity: participant?.identity ?? null,
        actor: 'livekit',
        requestId: null,
        details: {
          webhook_id: event.id,
          ...(LEFT_EVENTS.has(event.event) ? { how: event.event } : {}),
        },
      },
      at,
    );
  if (event.event === 'participant_joined' && participant !== undefined) {
    if (participant.takesSeat) {
      await moderation.withStore((store) =>
        store.participantJoined(room, participant.identity, at),
      );
    }
    await audit('participant_joined');
    const ban = await moderation.withStore((store) =>
      store.banFor(participant.identity, room, Date.now()),
    );
    // Back with a token LiveKit refreshed: out again.
    if (ban !== undefined) moderation.kick(room, participant.identity);
    return 'applied';
  }
  if (LEFT_EVENTS.has(event.event) && participant !== undefined) {
    await moderation.withStore((store) => store.participantLeft(room, participant.identity, at));
    await audit('participant_left');
    return 'applied';
  }
  if (event.event === 'room_started') {
    await audit('room_started');
    return 'applied';
  }
  if (event.event === 'room_finished') {
    await moderation.withStore((store) => store.roomFinished(room, at));
    await audit('room_finished');
    return 'applied';
  }
  return 'ignored';
}
