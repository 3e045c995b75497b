import type { Express } from 'express';
import { AggregatorRegistry } from 'prom-client';
import request from 'supertest';
import { createApp, lifecycleOf, SERVER_VERSION } from '../../../server/src/app';
import { clusterMetrics } from '../../../server/src/metrics';
import { testConfig } from '../../support/fixtures';
import { samplesIn } from '../../support/metrics';

const body = { user_id: 'ada', full_name: 'Ada', room_name: 'lab', role: 'viewer' };

/** The text a cluster primary would serve for these workers' apps. */
async function aggregatedText(apps: Express[]): Promise<string> {
  const workers = await Promise.all(
    apps.map((app) => lifecycleOf(app).metrics.registry.getMetricsAsJSON()),
  );
  return AggregatorRegistry.aggregate(workers).metrics();
}

describe("the sum of a cluster's workers, as the primary aggregates it", () => {
  const first = createApp(testConfig());
  const second = createApp(testConfig());

  beforeAll(async () => {
    await request(first).post('/token').send(body).expect(200);
    await request(second).post('/token').send(body).expect(200);
    await request(second).post('/token').send(body).expect(200);
    await request(second).post('/token').send({}).expect(400);
  });

  it('sums the counters', async () => {
    const text = await aggregatedText([first, second]);
    expect(samplesIn(text, 'tokens_issued_total')['{route="/token",role="viewer"}']).toBe(3);
    expect(samplesIn(text, 'requests_refused_total')).toEqual({
      '{route="/token",code="VALIDATION_ERROR"}': 1,
    });
    expect(samplesIn(text, 'caller_authentications_total')['{outcome="anonymous"}']).toBe(4);
  });

  it('sums the histograms', async () => {
    const text = await aggregatedText([first, second]);
    expect(samplesIn(text, 'request_duration_seconds_count')).toEqual({
      '{route="/token",status_class="2xx"}': 3,
      '{route="/token",status_class="4xx"}': 1,
    });
  });

  it('keeps build_info at 1', async () => {
    const text = await aggregatedText([first, second]);
    expect(samplesIn(text, 'build_info')).toEqual({ [`{version="${SERVER_VERSION}"}`]: 1 });
  });

  it('counts the workers counting in each rate-limit store', async () => {
    const text = await aggregatedText([first, second]);
    expect(samplesIn(text, 'rate_limit_store')).toEqual({
      '{store="redis"}': 0,
      '{store="memory"}': 2,
    });
  });
});

describe('clusterMetrics', () => {
  it('serves Prometheus text, empty while no worker runs', async () => {
    const source = clusterMetrics();
    expect(source.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    await expect(source.metrics()).resolves.toBe('');
  });
});
