// Fairness between connections. HTTP/1.1 lets a client pipeline thousands of requests on one
// connection (an L4 load balancer passes them on), and Node parses a whole read of them and
// hands every one to the app at once: beside 32 such connections, 0 of 8 probes on another
// connection were answered within 5 s. Here a connection has at most a few requests being
// answered; the next one waits until one of those is written out, and starts in a later
// turn of the event loop (setImmediate), after the other connections' I/O. A connection
// with more requests waiting than any real client pipelines is closed: Node has already
// parsed a whole read of them (some 2,000 from 64 KB), and holding them, or pausing the
// connection with them held, would take gigabytes from a few hundred such connections. A
// client that never reads its answers gets no more of the server's time either, since its
// answers are never written out.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Settings of the fair share; tests lower them. */
export interface FairShareOptions {
  /** Requests of one connection being answered at once; more wait their turn. */
  maxInFlightPerConnection: number;
  /** Requests of one connection waiting beyond which it is closed. */
  maxWaitingPerConnection: number;
  /** Told of each connection closed for pipelining too much: the metrics count them. */
  onClosed?: () => void;
}

/**
 * A browser pipelines nothing and opens six connections; a client that needs more than four
 * answers in flight on one connection gets them in turn, which costs it nothing but order;
 * one that pipelines more than 32 behind those is no client but a flood.
 */
export const DEFAULT_FAIR_SHARE: FairShareOptions = {
  maxInFlightPerConnection: 4,
  maxWaitingPerConnection: 32,
};

/** One connection's turn-taking. */
interface Turns {
  inFlight: number;
  waiting: Array<[IncomingMessage, ServerResponse]>;
  /** True while a later turn is already scheduled to start waiting requests. */
  scheduled: boolean;
}

/** The app's request listener with connections taking turns, and what it knows of them. */
export interface FairShare {
  /** The listener to give the HTTP server. */
  listener: RequestListener;
  /** Whether a connection has requests started or waiting, unanswered. */
  busy(socket: Socket): boolean;
}

/** Wraps a request listener (the app) so that connections take turns. */
export function fairShare(
  listener: RequestListener,
  options: FairShareOptions = DEFAULT_FAIR_SHARE,
): FairShare {
  const turnsOf = new WeakMap<Socket, Turns>();

  const start = (socket: Socket, turns: Turns, req: IncomingMessage, res: ServerResponse) => {
    turns.inFlight += 1;
    // 'close' comes once the answer is written out, or the connection is gone: either way
    // the connection may have its next turn.
    res.once('close', () => {
      turns.inFlight -= 1;
      scheduleWaiting(socket, turns);
    });
    listener(req, res);
  };

  const scheduleWaiting = (socket: Socket, turns: Turns) => {
    if (turns.scheduled || turns.waiting.length === 0) return;
    turns.scheduled = true;
    setImmediate(() => {
      turns.scheduled = false;
      while (turns.inFlight < options.maxInFlightPerConnection) {
        const next = turns.waiting.shift();
        if (next === undefined) break;
        // A request whose connection went while it waited has no one to answer.
        if (next[1].destroyed || socket.destroyed) continue;
        start(socket, turns, next[0], next[1]);
      }
    });
  };

  const fairListener: RequestListener = (req, res) => {
    const socket = req.socket;
    let turns = turnsOf.get(socket);
    if (turns === undefined) {
      turns = { inFlight: 0, waiting: [], scheduled: false };
      turnsOf.set(socket, turns);
    }
    if (turns.inFlight < options.maxInFlightPerConnection && turns.waiting.length === 0) {
      start(socket, turns, req, res);
      return;
    }
    if (turns.waiting.length >= options.maxWaitingPerConnection) {
      // Its requests are dropped with it: a pipelining client must retry unanswered ones.
      if (!socket.destroyed) options.onClosed?.();
      turns.waiting.length = 0;
      socket.destroy();
      return;
    }
    turns.waiting.push([req, res]);
  };
  return {
    listener: fairListener,
    busy: (socket) => {
      const turns = turnsOf.get(socket);
      return turns !== undefined && (turns.inFlight > 0 || turns.waiting.length > 0);
    },
  };
}
