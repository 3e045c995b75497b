import type { Express } from 'express';
import type { AddressInfo } from 'node:net';

/**
 * Starts a reference server on a free loopback port and announces it with the same
 * `listening on http://127.0.0.1:<port>` line as our server, so the bench finds every
 * target the same way. Closes on SIGTERM/SIGINT, when the bench is done with it.
 */
export function listenOnLoopback(app: Express): void {
  const server = app.listen(0, '127.0.0.1', (error?: Error) => {
    if (error) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
  });
  const close = (): void => {
    server.close(() => process.exit(0));
    // Keep-alive sockets from autocannon are normally gone by now; don't wait on stragglers.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}
