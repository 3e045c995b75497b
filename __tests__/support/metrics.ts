// Reading an app's metrics as Prometheus scrapes them: from the text, sample by sample.
import type { Registry } from 'prom-client';
import { METRIC_PREFIX } from '../../server/src/metrics';

/** Samples of one metric by their printed label set: `{route="/token",role="host"}`, or ''. */
export type Samples = Record<string, number>;

/** The samples of our metric `name` (without the prefix) in Prometheus text. */
export function samplesIn(text: string, name: string): Samples {
  const fullName = `${METRIC_PREFIX}${name}`;
  const samples: Samples = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(fullName)) continue;
    const match = /^(\{.*\})? (\S+)$/.exec(line.slice(fullName.length));
    if (match) samples[match[1] ?? ''] = Number(match[2]);
  }
  return samples;
}

/** The samples of our metric `name` in a registry, as a scrape would read them now. */
export async function samplesOf(registry: Registry, name: string): Promise<Samples> {
  return samplesIn(await registry.metrics(), name);
}
