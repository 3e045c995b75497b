// The HTTP server around the app: Node's timeouts set so that a slow or stalled client is
// answered 408 within REQUEST_TIMEOUT_MS, and Node's own parser errors answered in JSON.
import { createServer, type RequestListener, type Server } from 'node:http';
import { answerClientErrors } from './errors';

/** Node's timeouts for one server, in milliseconds. */
export interface HttpTimeouts {
  /** Longest a client may take to send one whole request, headers and body. */
  requestTimeoutMs: number;
  /**
   * How often Node looks for requests past their timeout. Node's default (30 s) let a
   * request run up to twice its timeout before the 408.
   */
  timeoutCheckIntervalMs: number;
}

/** A whole request gets 29 s, checked every second: the 408 comes within 30 s. */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  requestTimeoutMs: 29_000,
  timeoutCheckIntervalMs: 1_000,
};

/** Creates the server for an app; it does not listen yet. */
export function createHttpServer(
  app: RequestListener,
  timeouts: HttpTimeouts = DEFAULT_HTTP_TIMEOUTS,
): Server {
  const server = createServer(
    {
      requestTimeout: timeouts.requestTimeoutMs,
      // The headers share the whole request's budget rather than adding their own.
      headersTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: timeouts.timeoutCheckIntervalMs,
    },
    app,
  );
  answerClientErrors(server);
  return server;
}
