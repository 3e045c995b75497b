import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, lifecycleOf } from '../../../server/src/app';
import { createMetricsServer, type MetricsSource } from '../../../server/src/metrics';
import { capturingLogger } from '../../support/capturing-logger';
import { testConfig } from '../../support/fixtures';

const servers: Server[] = [];

/** A metrics server for `source` on a loopback port; its base URL. */
async function serve(source: MetricsSource, logger = capturingLogger()): Promise<string> {
  const server = createMetricsServer(source, logger);
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
