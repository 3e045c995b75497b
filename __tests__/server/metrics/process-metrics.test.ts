import { createApp, lifecycleOf } from '../../../server/src/app';
import { processMetricsRegistry } from '../../../server/src/metrics/process-metrics';
import { testConfig } from '../../support/fixtures';

describe("an app's registry", () => {
  it("holds Node's default process metrics", async () => {
    const text = await lifecycleOf(createApp(testConfig())).metrics.registry.metrics();
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
      'nodejs_version_info',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('shares the process metrics with the other apps of the process, made once', () => {
    const first = lifecycleOf(createApp(testConfig())).metrics.registry;
    const second = lifecycleOf(createApp(testConfig())).metrics.registry;
    expect(first).not.toBe(second);
    const name = 'nodejs_eventloop_lag_seconds';
    expect(first.getSingleMetric(name)).toBeDefined();
    expect(first.getSingleMetric(name)).toBe(second.getSingleMetric(name));
    expect(processMetricsRegistry()).toBe(processMetricsRegistry());
  });
});
