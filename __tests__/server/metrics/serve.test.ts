import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createApp, lifecycleOf } from '../../../server/src/app';
import { createMetricsServer, type MetricsSource } from '../../../server/src/metrics';
import {
  DEFAULT_METRICS_SERVER_OPTIONS,
  type MetricsServerOptions,
} from '../../../server/src/metrics/serve';
import { capturingLogger } from '../../support/capturing-logger';
import { testConfig } from '../../support/fixtures';

const servers: Server[] = [];

/** A metrics server for `source` on a loopback port; its base URL. */
async function serve(
  source: MetricsSource,
  logger = capturingLogger(),
  options: Partial<MetricsServerOptions> = {},
): Promise<string> {
  const server = createMetricsServer(source, logger, {
    ...DEFAULT_METRICS_SERVER_OPTIONS,
    ...options,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
});

/** A source whose collections are counted, and wait until released when `held`. */
function countingSource(held = false) {
  const waiting: Array<() => void> = [];
  const source = {
    collections: 0,
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    metrics: async () => {
      source.collections += 1;
      if (held) await new Promise<void>((resolve) => waiting.push(resolve));
      return `scrapes_collected ${source.collections}\n`;
    },
    release: () => waiting.splice(0).forEach((resolve) => resolve()),
  };
  return source;
}

/** Resolves with `promise`'s value, or with 'no answer' after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'no answer'> {
  return Promise.race([
    promise,
    new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), ms).unref()),
  ]);
}

describe('the metrics server', () => {
  describe('GET /metrics', () => {
    it("answers 200 with the registry's Prometheus text", async () => {
      const app = createApp(testConfig());
      const base = await serve(lifecycleOf(app).metrics.registry);
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      const text = await response.text();
      expect(text).toContain('# TYPE livekit_token_server_tokens_issued_total counter');
      expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    });

    it('ignores a query string', async () => {
      const base = await serve(lifecycleOf(createApp(testConfig())).metrics.registry);
      expect((await fetch(`${base}/metrics?name[]=x`)).status).toBe(200);
    });

    it('answers HEAD without a body', async () => {
      const base = await serve(lifecycleOf(createApp(testConfig())).metrics.registry);
      const response = await fetch(`${base}/metrics`, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('');
    });

    describe('when collecting throws rather than rejects', () => {
      it('responds 500 with INTERNAL_ERROR', async () => {
        const throwing: MetricsSource = {
          contentType: 'text/plain; version=0.0.4; charset=utf-8',
          metrics: () => {
            throw new Error('no registry');
          },
        };
        const response = await within(fetch(`${await serve(throwing)}/metrics`), 2_000);
        expect(response).not.toBe('no answer');
        if (response !== 'no answer') expect(response.status).toBe(500);
      });
    });

    describe('when collecting fails', () => {
      it('responds 500 with INTERNAL_ERROR and logs why', async () => {
        const logger = capturingLogger();
        const failing: MetricsSource = {
          contentType: 'text/plain; version=0.0.4; charset=utf-8',
          metrics: () => Promise.reject(new Error('a worker did not answer')),
        };
        const response = await fetch(`${await serve(failing, logger)}/metrics`);
        expect(response.status).toBe(500);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
          'INTERNAL_ERROR',
        );
        expect(JSON.stringify(logger.lines)).toContain('a worker did not answer');
      });
    });
  });

  describe('GET /metrics, scraped again and again', () => {
    // A clock of the test's own: a loaded machine cannot make a second pass between scrapes.
    let clockMs = 0;
    const now = () => clockMs;

    it('collects once for every scrape within a second, however many', async () => {
      const source = countingSource();
      const base = await serve(source, capturingLogger(), { now });
      for (let scrape = 0; scrape < 20; scrape += 1) {
        const response = await fetch(`${base}/metrics`);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('scrapes_collected 1\n');
        clockMs += 49;
      }
      expect(source.collections).toBe(1);
    });

    it('collects again once the second has passed', async () => {
      const source = countingSource();
      const base = await serve(source, capturingLogger(), { now });
      expect(await (await fetch(`${base}/metrics`)).text()).toBe('scrapes_collected 1\n');
      clockMs += 999;
      expect(await (await fetch(`${base}/metrics`)).text()).toBe('scrapes_collected 1\n');
      clockMs += 1;
      expect(await (await fetch(`${base}/metrics`)).text()).toBe('scrapes_collected 2\n');
      expect(source.collections).toBe(2);
    });

    it('collects again after a failed collection, which it does not keep', async () => {
      let failing = true;
      const source: MetricsSource = {
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
        metrics: () =>
          failing
            ? Promise.reject(new Error('a worker did not answer'))
            : Promise.resolve('up 1\n'),
      };
      const base = await serve(source, capturingLogger(), { now });
      expect((await fetch(`${base}/metrics`)).status).toBe(500);
      failing = false;
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('up 1\n');
    });

    it('collects once for scrapes that arrive together', async () => {
      const source = countingSource(true);
      const base = await serve(source);
      const scrapes = [fetch(`${base}/metrics`), fetch(`${base}/metrics`)];
      await new Promise((resolve) => setTimeout(resolve, 100));
      source.release();
      for (const response of await Promise.all(scrapes)) expect(response.status).toBe(200);
      expect(source.collections).toBe(1);
    });
  });

  describe('GET /metrics while two scrapes wait for a collection', () => {
    it('responds 429 with RATE_LIMITED and Retry-After at once, and serves the two', async () => {
      const source = countingSource(true);
      const base = await serve(source);
      const waiting = [fetch(`${base}/metrics`), fetch(`${base}/metrics`)];
      await new Promise((resolve) => setTimeout(resolve, 100));
      const third = await within(fetch(`${base}/metrics`), 2_000);
      source.release();
      const answers = await Promise.all(waiting);
      expect(third).not.toBe('no answer');
      if (third === 'no answer') return;
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBe('1');
      expect(third.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(((await third.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
      for (const answer of answers) expect(answer.status).toBe(200);
      expect(source.collections).toBe(1);
    });
  });

  describe('a client that never finishes its headers', () => {
    it('is answered 408 REQUEST_TIMEOUT and cut off within 7 seconds', async () => {
      const base = await serve(countingSource());
      const socket = connect(Number(new URL(base).port), '127.0.0.1');
      socket.write('GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
      const startedAt = Date.now();
      const answer = await within(
        new Promise<string>((resolve) => {
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
          socket.on('close', () => resolve(text));
          socket.on('error', () => undefined);
        }),
        7_000,
      );
      socket.destroy();
      expect(answer).not.toBe('no answer');
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
      expect(Date.now() - startedAt).toBeLessThan(7_000);
    }, 10_000);
  });

  describe('GET /metrics with headers over 16 KiB', () => {
    it('responds 431 with HEADERS_TOO_LARGE in JSON', async () => {
      const base = await serve(countingSource());
      const response = await fetch(`${base}/metrics`, { headers: { 'X-Big': 'x'.repeat(17_000) } });
      expect(response.status).toBe(431);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'HEADERS_TOO_LARGE',
      );
    });
  });

  describe('POST /metrics', () => {
    it('responds 405 with METHOD_NOT_ALLOWED and Allow', async () => {
      const base = await serve(lifecycleOf(createApp(testConfig())).metrics.registry);
      const response = await fetch(`${base}/metrics`, { method: 'POST' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'METHOD_NOT_ALLOWED',
      );
    });
  });

  describe.each(['/', '/token', '/metrics/', '/metricsx', '/healthz'])('GET %s', (path) => {
    it('responds 404 with NOT_FOUND', async () => {
      const base = await serve(lifecycleOf(createApp(testConfig())).metrics.registry);
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    });
  });
});
