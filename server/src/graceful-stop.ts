// Stopping an HTTP server without dropping a request a client already sent. Node's own
// server.close() also destroys every idle keep-alive socket at once, which resets requests
// that are on the wire but not yet parsed (32 of them under keep-alive load in one test).
// Here, once stopping: every answer carries `Connection: close`, so its socket closes
// after it; a kept-alive socket is closed only once it has been idle for a while, with no
// byte of a new request read; and the listener stops taking new connections.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/**
 * How long a kept-alive socket must have been idle before a stopping server closes it, in
 * milliseconds. A client that reuses a socket sends its next request right after an answer;
 * closing a socket the moment its answer is written races with that request.
 */
const IDLE_SOCKET_GRACE_MS = 500;
/** How often a stopping server looks for idle sockets, in milliseconds. */
const IDLE_CHECK_INTERVAL_MS = 100;

/** What is known of one connection. */
interface Connection {
  /** Answers not yet finished. */
  openResponses: Set<ServerResponse>;
  /** When a request last arrived or an answer last finished, from performance.now(). */
  lastActivityAt: number;
  /** The socket's bytesRead at the last check: more means a request is arriving. */
  bytesReadAtCheck: number;
}

/** Connection bookkeeping for one server. */
export interface GracefulStop {
  /** True from the moment stop() is called. */
  readonly stopping: boolean;
  /**
   * Stops taking connections and answers what was received. Resolves once every
   * connection has closed, or with false when `graceMs` ran out and the rest were cut.
   */
  stop(graceMs: number): Promise<boolean>;
}

/** Tracks a server's connections and answers, so that it can stop gracefully. */
export function trackForGracefulStop(server: Server): GracefulStop {
  const connections = new Map<Socket, Connection>();
  let stopping = false;

  server.on('connection', (socket: Socket) => {
    connections.set(socket, {
      openResponses: new Set(),
      lastActivityAt: performance.now(),
      bytesReadAtCheck: 0,
    });
    socket.once('close', () => connections.delete(socket));
  });
  // Before the app's own listener, so that the header is set before anything is written.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const connection = connections.get(req.socket);
    if (stopping) res.setHeader('Connection', 'close');
    if (connection === undefined) return;
    connection.openResponses.add(res);
    connection.lastActivityAt = performance.now();
    res.once('close', () => {
      connection.openResponses.delete(res);
      connection.lastActivityAt = performance.now();
    });
  });

  /** Closes the sockets that have been idle long enough, with no request arriving. */
  const closeIdleSockets = () => {
    const now = performance.now();
    for (const [socket, connection] of connections) {
      const arriving = socket.bytesRead !== connection.bytesReadAtCheck;
      connection.bytesReadAtCheck = socket.bytesRead;
      if (arriving) connection.lastActivityAt = now;
      const idle = connection.openResponses.size === 0;
      if (idle && now - connection.lastActivityAt >= IDLE_SOCKET_GRACE_MS) socket.destroy();
    }
  };

  return {
    get stopping() {
      return stopping;
    },
    stop(graceMs) {
      stopping = true;
      for (const connection of connections.values()) {
        for (const res of connection.openResponses) {
          if (!res.headersSent) res.setHeader('Connection', 'close');
        }
      }
      return new Promise((resolve) => {
        const idleCheck = setInterval(closeIdleSockets, IDLE_CHECK_INTERVAL_MS);
        const deadline = setTimeout(() => {
          clearInterval(idleCheck);
          for (const socket of connections.keys()) socket.destroy();
          resolve(false);
        }, graceMs);
        // net.Server's close, not http.Server's: the latter destroys idle sockets at once.
        NetServer.prototype.close.call(server, () => {
          clearTimeout(deadline);
          clearInterval(idleCheck);
          resolve(true);
        });
      });
    },
  };
}
