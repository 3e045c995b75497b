// The HTTP server around the app: Node's timeouts set so that a slow or stalled client is
// answered 408 within 30 s, Node's own parser errors answered in JSON, and requests built
// with Express's prototypes from the start.
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

/** Creates the server for an app; it does not listen yet. */
export function createHttpServer(
  app: Express,
  timeouts: HttpTimeouts = DEFAULT_HTTP_TIMEOUTS,
): Server {
  const server = createServer(
    {
      requestTimeout: timeouts.requestTimeoutMs,
      // The headers share the whole request's budget rather than adding their own.
      headersTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: timeouts.timeoutCheckIntervalMs,
      ...classesWithPrototypesOf(app),
    },
    app,
  );
  answerClientErrors(server);
  return server;
}
