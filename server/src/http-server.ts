// The HTTP server around the app: Node's timeouts set so that a slow or stalled client is
// answered 408 within 30 s and a connection that makes no progress is closed, connections
// taking turns (fair-share.ts), Node's own parser errors answered in JSON, and requests
// built with Express's prototypes from the start.
import {
  createServer,
  IncomingMessage,
  ServerResponse,
  type Server,
  type ServerOptions,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import { answerClientErrors } from './errors';
import { DEFAULT_FAIR_SHARE, fairShare, type FairShareOptions } from './fair-share';

/** Node's timeouts for one server, in milliseconds. */
export interface HttpTimeouts {
  /** Longest a client may take to send one whole request, headers and body. */
  requestTimeoutMs: number;
  /**
   * How often Node looks for requests past their timeout. Node's default (30 s) let a
   * request run up to twice its timeout before the 408.
   */
  timeoutCheckIntervalMs: number;
  /**
   * Longest a connection may go with nothing read and nothing written while it has an
   * answer to send: a client that never reads its answers is closed after it. Node's
   * default is never: 300 such connections once held 265 MB past a minute.
   */
  stalledConnectionTimeoutMs: number;
}

/**
 * A whole request gets 29 s, checked every second: the 408 comes within 30 s. A connection
 * that makes no progress for 60 s is closed: longer than any answer takes to prepare.
 */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  requestTimeoutMs: 29_000,
  timeoutCheckIntervalMs: 1_000,
  stalledConnectionTimeoutMs: 60_000,
};

/**
 * Node's request and response classes, with the app's own prototypes. Express gives every
 * request and answer the app's prototypes (Object.setPrototypeOf in app.handle); done to
 * objects Node built from its own classes, that change of shape sent V8's property lookups
 * down slow paths for the rest of the request (half of all CPU in a profile of /token).
 * Built with those prototypes from the start, Express's call changes nothing.
 */
function classesWithPrototypesOf(
  app: Express,
): Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'> {
  // Node's classes are plain constructor functions, so they can be called on `this`.
  function AppRequest(this: IncomingMessage, socket: Socket): void {
    IncomingMessage.call(this, socket);
  }
  AppRequest.prototype = app.request;
  function AppResponse(this: ServerResponse, req: IncomingMessage, options?: object): void {
    (ServerResponse as unknown as (req: IncomingMessage, options?: object) => void).call(
      this,
      req,
      options,
    );
  }
  AppResponse.prototype = app.response;
  return {
    IncomingMessage: AppRequest as unknown as typeof IncomingMessage,
    ServerResponse: AppResponse as unknown as typeof ServerResponse,
  };
}

/** Why the server closed a connection on its own. */
export type ConnectionClosedReason = 'pipelining' | 'stalled';

/** How the server around an app behaves; defaults for everything. */
export interface HttpServerOptions {
  timeouts?: HttpTimeouts;
  fairShare?: FairShareOptions;
  /** Told of each connection the server closes on its own: the metrics count them. */
  onConnectionClosed?: (reason: ConnectionClosedReason) => void;
}

/** Creates the server for an app; it does not listen yet. */
export function createHttpServer(app: Express, options: HttpServerOptions = {}): Server {
  const timeouts = options.timeouts ?? DEFAULT_HTTP_TIMEOUTS;
  const onConnectionClosed = options.onConnectionClosed ?? (() => {});
  const turns = fairShare(app, {
    ...(options.fairShare ?? DEFAULT_FAIR_SHARE),
    onClosed: () => onConnectionClosed('pipelining'),
  });
  const server = createServer(
    {
      requestTimeout: timeouts.requestTimeoutMs,
      // The headers share the whole request's budget rather than adding their own.
      headersTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: timeouts.timeoutCheckIntervalMs,
      ...classesWithPrototypesOf(app),
    },
    turns.listener,
  );
  // Node's socket inactivity timeout: nothing read, nothing written out. It also fires for
  // an idle kept-alive socket (after keepAliveTimeout), which is closed as Node would.
  server.timeout = timeouts.stalledConnectionTimeoutMs;
  server.on('timeout', (socket: Socket) => {
    if (turns.busy(socket)) onConnectionClosed('stalled');
    socket.destroy();
  });
  answerClientErrors(server);
  return server;
}
