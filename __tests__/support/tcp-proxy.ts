// A TCP proxy on loopback between a client and a server (Redis, in the tests), with faults
// to order: replies delayed, the next reply lost on the way. What a slow network, another
// zone or a half-dead link does to a connection, without root or a network namespace.
import { connect, createServer, type Socket } from 'node:net';

/** A running proxy and its faults. */
export interface TcpProxy {
  port: number;
  /** The target URL's scheme and credentials, with the proxy's address. */
  url: string;
  /** Delays every chunk the server sends by `ms` from now on (0: none). */
  delayReplies(ms: number): void;
  /** Drops the next chunk the server sends, as a link losing bytes would. */
  dropNextReply(): void;
  /** Chunks dropped so far. */
  dropped(): number;
  close(): Promise<void>;
}

/** Starts a proxy to 127.0.0.1:`targetPort`; `urlFor(port)` names it for the client. */
export function startTcpProxy(
  targetPort: number,
  urlFor: (port: number) => string,
): Promise<TcpProxy> {
  let delayMs = 0;
  let dropNext = 0;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (dropNext > 0) {
        dropNext -= 1;
        dropped += 1;
        return;
      }
      if (delayMs === 0) client.write(chunk);
      else setTimeout(() => client.writable && client.write(chunk), delayMs);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('no port'));
        return;
      }
      resolve({
        port: address.port,
        url: urlFor(address.port),
        delayReplies: (ms) => {
          delayMs = ms;
        },
        dropNextReply: () => {
          dropNext += 1;
        },
        dropped: () => dropped,
        close: () =>
          new Promise((resolveClose) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => resolveClose());
          }),
      });
    });
  });
}
