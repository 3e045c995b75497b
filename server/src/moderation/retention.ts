// How long the stores keep what only guards against LiveKit's retries and late webhooks.
// One value for both stores, so that they answer alike.

/**
 * How long a webhook id is remembered, in milliseconds: LiveKit retries a webhook for
 * minutes, never a day later, so an id seen over a day ago counts as new.
 */
export const WEBHOOK_ID_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * How long the time of an identity's last presence event is kept once it holds no seat, in
 * milliseconds: long past the last late webhook that it orders.
 */
export const PRESENCE_GUARD_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * How long an invite or a lobby entry is kept past its expiry, in milliseconds: for a day a
 * late guest is told its invite expired rather than that it never existed, and a guest still
 * polling is told its wait expired; after that neither is worth a row.
 */
export const EXPIRED_INVITE_RETENTION_MS = 24 * 60 * 60 * 1000;
