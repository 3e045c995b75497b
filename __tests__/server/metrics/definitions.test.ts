import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createApp, lifecycleOf, SERVER_VERSION } from '../../../server/src/app';
import { createAppMetrics } from '../../../server/src/metrics';
import type { LimiterStatus } from '../../../server/src/rate-limit';
import { testConfig } from '../../support/fixtures';
import { samplesOf } from '../../support/metrics';

/** Metrics reading a limiter status that the test changes. */
function metricsReading(status: LimiterStatus) {
  const current = { status };
  const metrics = createAppMetrics({
    version: '9.9.9',
    roles: ['participant'],
    budgets: ['token'],
    limiterStatus: () => current.status,
  });
  return { registry: metrics.registry, current };
}

const MEMORY: LimiterStatus = {
  store: 'memory',
  redisConfigured: false,
  redisReachable: false,
  redisErrors: 0,
};

describe('build_info', () => {
  it("is 1, labelled with the server's version", async () => {
    const app = createApp(testConfig());
    expect(await samplesOf(lifecycleOf(app).metrics.registry, 'build_info')).toEqual({
      [`{version="${SERVER_VERSION}"}`]: 1,
    });
  });
});

describe('rate_limit_store', () => {
  it('is 1 for memory without REDIS_URL', async () => {
    const app = createApp(testConfig());
    expect(await samplesOf(lifecycleOf(app).metrics.registry, 'rate_limit_store')).toEqual({
      '{store="redis"}': 0,
      '{store="memory"}': 1,
    });
  });

  it('follows the store in use at each scrape', async () => {
    const { registry, current } = metricsReading(MEMORY);
    current.status = { ...MEMORY, store: 'redis', redisConfigured: true, redisReachable: true };
    expect(await samplesOf(registry, 'rate_limit_store')).toEqual({
      '{store="redis"}': 1,
      '{store="memory"}': 0,
    });
    current.status = { ...current.status, store: 'memory', redisReachable: false };
    expect(await samplesOf(registry, 'rate_limit_store')).toEqual({
      '{store="redis"}': 0,
      '{store="memory"}': 1,
    });
  });
});

describe('redis_errors_total', () => {
  it("shows the limiter's count of Redis errors at each scrape", async () => {
    const { registry, current } = metricsReading(MEMORY);
    expect(await samplesOf(registry, 'redis_errors_total')).toEqual({ '': 0 });
    current.status = { ...MEMORY, redisConfigured: true, redisErrors: 3 };
    expect(await samplesOf(registry, 'redis_errors_total')).toEqual({ '': 3 });
    current.status = { ...current.status, redisErrors: 5 };
    expect(await samplesOf(registry, 'redis_errors_total')).toEqual({ '': 5 });
  });
});

describe('tokens_issued_total', () => {
  it('starts each configured role at zero on both token routes', async () => {
    const { registry } = metricsReading(MEMORY);
    expect(await samplesOf(registry, 'tokens_issued_total')).toEqual({
      '{route="/token",role="participant"}': 0,
      '{route="/connection-details",role="participant"}': 0,
    });
  });
});

describe('every metric', () => {
  it('has a help text and a type, and is documented in docs/metrics.md', async () => {
    const docs = readFileSync(path.join(__dirname, '../../../docs/metrics.md'), 'utf8');
    const app = createApp(testConfig());
    const ours = (await lifecycleOf(app).metrics.registry.getMetricsAsJSON()).filter((metric) =>
      metric.name.startsWith('livekit_token_server_'),
    );
    expect(ours.map((metric) => metric.name).sort()).toEqual([
      'livekit_token_server_build_info',
      'livekit_token_server_caller_authentications_total',
      'livekit_token_server_connections_closed_total',
      'livekit_token_server_invite_redemptions_total',
      'livekit_token_server_jwks_fetches_total',
      'livekit_token_server_rate_limit_store',
      'livekit_token_server_rate_limited_total',
      'livekit_token_server_redis_errors_total',
      'livekit_token_server_request_duration_seconds',
      'livekit_token_server_requests_refused_total',
      'livekit_token_server_tokens_issued_total',
    ]);
    for (const metric of ours) {
      expect(metric.help).not.toBe('');
      expect(['counter', 'gauge', 'histogram']).toContain(metric.type);
      expect(docs).toContain(`\`${metric.name}\``);
    }
  });
});
