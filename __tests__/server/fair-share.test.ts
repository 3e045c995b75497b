import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { createHttpServer, DEFAULT_HTTP_TIMEOUTS } from '../../server/src/http-server';
import { DEFAULT_FAIR_SHARE } from '../../server/src/fair-share';
import { neverReading, pipelined, rawGet } from '../support/raw-http';

/** An app whose answers take `delayMs`, counting how many it started at once per connection. */
function countingApp(delayMs: number, bodyBytes = 16) {
  const seen = { started: 0, mostAtOnce: 0 };
  const atOnce = new Map<object, number>();
  const app = express();
  app.get('/work', (req, res) => {
    seen.started += 1;
    const now = (atOnce.get(req.socket) ?? 0) + 1;
    atOnce.set(req.socket, now);
    seen.mostAtOnce = Math.max(seen.mostAtOnce, now);
    setTimeout(() => {
      atOnce.set(req.socket, (atOnce.get(req.socket) ?? 1) - 1);
      res.type('text/plain').send(`${String(req.query.n)}:${'x'.repeat(bodyBytes)}`);
    }, delayMs);
  });
  return { app, seen };
}

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function connectionsOf(server: Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

describe('the HTTP server with pipelined requests', () => {
  let closed: string[];
  let server: Server;
  let port: number;
  let seen: ReturnType<typeof countingApp>['seen'];

  beforeEach(async () => {
    const counting = countingApp(20);
    seen = counting.seen;
    closed = [];
    server = createHttpServer(counting.app as unknown as express.Express, {
      onConnectionClosed: (reason) => closed.push(reason),
    });
    port = await listening(server);
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers a client pipelining 8 requests, all of them, in order, and keeps it open', async () => {
    const requests = Array.from({ length: 8 }, (_, n) => rawGet(`/work?n=${n}`)).join('');
    const connection = pipelined(port, requests);
    let text = '';
    connection.socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    await until(() => connection.answers() === 8);
    const order = [...text.matchAll(/\r\n\r\n(\d+):/g)].map(([, n]) => Number(n));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(connection.socket.destroyed).toBe(false);
    expect(closed).toEqual([]);
    connection.socket.destroy();
  });

  it(`starts at most ${DEFAULT_FAIR_SHARE.maxInFlightPerConnection} of one connection's requests at once`, async () => {
    const requests = Array.from({ length: 20 }, (_, n) => rawGet(`/work?n=${n}`)).join('');
    const connection = pipelined(port, requests);
    await until(() => connection.answers() === 20);
    expect(seen.started).toBe(20);
    expect(seen.mostAtOnce).toBe(DEFAULT_FAIR_SHARE.maxInFlightPerConnection);
    connection.socket.destroy();
  });

  it('closes a connection that pipelines more than any client does, and serves the others', async () => {
    const flood = pipelined(port, rawGet('/work?n=0').repeat(500));
    const client = pipelined(port, rawGet('/work?n=1'));
    await flood.closed;
    await until(() => client.answers() === 1);
    // Only the few started before the flood showed itself: never its 500.
    expect(seen.started).toBeLessThanOrEqual(DEFAULT_FAIR_SHARE.maxInFlightPerConnection + 1);
    expect(closed).toEqual(['pipelining']);
    client.socket.destroy();
  });
});

describe('the HTTP server with clients that never read their answers', () => {
  const closed: string[] = [];
  let accepted = 0;
  let server: Server;
  let port: number;
  let seen: ReturnType<typeof countingApp>['seen'];

  beforeAll(async () => {
    // Answers of 1 MiB: a few fill the kernel's buffers for a client that never reads.
    const counting = countingApp(0, 1024 * 1024);
    seen = counting.seen;
    server = createHttpServer(counting.app as unknown as express.Express, {
      timeouts: { ...DEFAULT_HTTP_TIMEOUTS, stalledConnectionTimeoutMs: 1_000 },
      onConnectionClosed: (reason) => closed.push(reason),
    });
    server.on('connection', () => {
      accepted += 1;
    });
    port = await listening(server);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('prepares answers only as they are written out, and closes each once it makes no progress', async () => {
    const clients = Array.from({ length: 20 }, () =>
      neverReading(port, rawGet('/work?n=0').repeat(30)),
    );
    // All 20 accepted (counted as they come: on a loaded machine the first may already have
    // been closed as stalled before the last one arrives).
    await until(() => accepted === 20);
    // Each connection's first answers fill what the kernel holds for it, then stall it: the
    // rest are never prepared (without turns, all 600 were, and held in the server).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.started).toBeLessThan((20 * 30) / 2);
    // Closed by the server once nothing moved for stalledConnectionTimeoutMs.
    await until(async () => (await connectionsOf(server)) === 0, 10_000);
    expect(closed).toEqual(Array(20).fill('stalled'));
    for (const client of clients) client.socket.destroy();
  });
});
