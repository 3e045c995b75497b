// Raw HTTP/1.1 on sockets, as attackers and proxies speak it: pipelined requests written at
// once, answers counted as they arrive, and clients that never read what they are sent.
import { connect, type Socket } from 'node:net';

/** A GET request as a client writes it on a kept-alive connection. */
export function rawGet(path: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ Host: 'localhost', ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** A connection that counts the answers it receives by their status line. */
export interface CountingConnection {
  socket: Socket;
  /** Answers received so far. */
  answers(): number;
  /** Resolves once the server closed the connection (or it failed). */
  closed: Promise<void>;
}

/**
 * Opens a connection, writes `requests` at once (pipelined), and counts the answers; with
 * `again`, writes `again(answered)` each time answers arrive, as a flood keeps its pressure.
 */
export function pipelined(
  port: number,
  requests: string,
  again?: (answered: number) => string,
): CountingConnection {
  const socket = connect(port, '127.0.0.1');
  let answers = 0;
  let tail = '';
  socket.on('data', (chunk: Buffer) => {
    // Status lines can straddle chunks: keep the end of the last one.
    const text = tail + chunk.toString('latin1');
    const arrived = text.split('HTTP/1.1 ').length - 1;
    answers += arrived;
    tail = text.slice(-9);
    if (again !== undefined && arrived > 0 && socket.writable && socket.writableLength < 1 << 20) {
      socket.write(again(arrived));
    }
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  socket.write(requests);
  return { socket, answers: () => answers, closed };
}

/**
 * Opens a connection that writes `requests` and never reads a byte of the answers: its
 * receive window fills, and the server's writes to it stall.
 */
export function neverReading(port: number, requests: string): CountingConnection {
  const socket = connect(port, '127.0.0.1');
  socket.pause();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  socket.write(requests);
  return { socket, answers: () => 0, closed };
}
