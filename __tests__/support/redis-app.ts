// Apps made by createApp with REDIS_URL, for the Redis store's tests: a logger that keeps
// each line's level, key prefixes that no two apps share, and waiting for the store to
// reach Redis or memory.
import type { createApp } from '../../server/src/app';
import { openSqliteModerationStore } from '../../server/src/moderation/sqlite-store';
import type { ModerationStore } from '../../server/src/moderation/store';
import { lifecycleOf } from '../../server/src/app';
import type { LogFields, Logger } from '../../server/src/logger';
import type { LimiterStatus } from '../../server/src/rate-limit';

/** Longest the tests wait for an app to reach or leave Redis. */
export const STORE_WAIT_MS = 10_000;

/** An app made by createApp. */
export type App = ReturnType<typeof createApp>;

/** A logger that keeps each line with its level. */
export function levelLogger(): Logger & {
  lines: Array<{ level: string; message: string; fields?: LogFields }>;
} {
  const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
  const keep = (level: string) => (message: string, fields?: LogFields) => {
    lines.push({ level, message, fields });
  };
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error'), flush() {} };
}

let prefixes = 0;
/** A key prefix of its own for each app pair, so that tests never share budgets. */
export function freshPrefix(): string {
  prefixes += 1;
  return `lkts-test-${process.pid}-${prefixes}:`;
}

/** Where an app's rate limits count now, and how Redis has been doing. */
export function statusOf(app: App): LimiterStatus {
  return lifecycleOf(app).limiter.status();
}

/** Waits until the app counts in `store`; fails after STORE_WAIT_MS. */
export async function untilStore(app: App, store: LimiterStatus['store']): Promise<void> {
  const deadline = Date.now() + STORE_WAIT_MS;
  while (statusOf(app).store !== store) {
    if (Date.now() > deadline) {
      throw new Error(`still on ${statusOf(app).store}: ${JSON.stringify(statusOf(app))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * App options that keep moderation in SQLite (in the config's DATA_DIR) rather than in the
 * Redis under test: these suites are about rate limits, which serve through a Redis outage,
 * while moderation on Redis refuses tokens then (its own tests say so).
 */
export function moderationInSqlite(config: { dataDir: string }): {
  openModerationStore: () => ModerationStore;
} {
  return { openModerationStore: () => openSqliteModerationStore(config.dataDir) };
}
