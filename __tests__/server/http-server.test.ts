import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../server/src/app';
import { createHttpServer, DEFAULT_HTTP_TIMEOUTS } from '../../server/src/http-server';
import { testConfig } from '../support/fixtures';

describe('createHttpServer', () => {
  it('by default answers a stalled request within 30 seconds, as the README promises', () => {
    const { requestTimeoutMs, timeoutCheckIntervalMs } = DEFAULT_HTTP_TIMEOUTS;
    // Node answers 408 at the first check after the timeout passed.
    expect(requestTimeoutMs + timeoutCheckIntervalMs).toBeLessThanOrEqual(30_000);
  });

  describe('with a client that sends part of a body and then stalls', () => {
    let server: Server;

    beforeAll(async () => {
      server = createHttpServer(createApp(testConfig()), {
        timeouts: {
          requestTimeoutMs: 500,
          timeoutCheckIntervalMs: 100,
          stalledConnectionTimeoutMs: 60_000,
        },
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('answers 408 REQUEST_TIMEOUT in JSON once the request timeout passes, and closes', async () => {
      const { port } = server.address() as AddressInfo;
      const socket = connect(port, '127.0.0.1');
      socket.write(
        'POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
          'Content-Length: 100\r\n\r\n{"user_email":',
      );
      const startedAt = Date.now();
      const answer = await new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', () => undefined);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
      // Well before Node's default check interval of 30 s could have found it.
      expect(Date.now() - startedAt).toBeLessThan(10_000);
    });
  });
});
