// What a request carries in `res.locals`, typed once through Express 5's `Locals` interface,
// so that every reader and writer agrees on it without casts. Written by the request
// context (id, address) and by authentication (caller, or its refusal).
import type { Caller } from './caller';
import type { HttpError } from './errors';
import type { Moderator } from './moderation/moderator';

declare global {
  // Express merges its `Locals` into every `res.locals`: a namespace is how it is extended.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** The request's id, echoed as X-Request-Id: set first, by the request context. */
      requestId?: string;
      /** The client's address, canonical: set by the request context. */
      clientIp?: string;
      /** Who is calling, once authentication established it. */
      caller?: Caller;
      /** Why authentication refused the caller, kept for requireAuthentication to answer. */
      authError?: HttpError;
      /** An audit event told on the request's access line (a token issued). */
      audit?: Record<string, string>;
      /** A moderator proven by a LiveKit host token, on the moderation routes. */
      moderator?: Moderator;
    }
  }
}
