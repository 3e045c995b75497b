// Whether the shared Redis answers: followed from the connection's events and from each
// call, with one log line when it stops answering and one when it answers again.
import type Redis from 'ioredis';
import type { Logger } from '../logger';
import type { LimiterStatus } from './types';

/** While Redis does not answer, one request in this many milliseconds tries it again. */
export const REDIS_PROBE_INTERVAL_MS = 1_000;

/** Longest error message a log line quotes from Redis or the connection. */
const MAX_REASON_LENGTH = 200;

/**
 * Follows whether Redis answers, and says which requests should try it: all of them while
 * it answers; while it does not, only those the connection can take (none while it
 * reconnects), and of those one per probe interval, so that a Redis that hangs costs one
 * request the time-out now and then rather than every request.
 */
export class RedisHealth {
  private reachable = false;
  private connectedOnce = false;
  private outageLogged = false;
  private errors = 0;
  private nextProbeAt = 0;
  private stopped = false;

  constructor(
    private readonly client: Redis,
    /** The Redis URL without credentials, for the logs. */
    private readonly printableUrl: string,
    private readonly logger: Logger,
    private readonly probeIntervalMs: number = REDIS_PROBE_INTERVAL_MS,
  ) {
    client.on('ready', () => this.answered());
    client.on('error', (error: Error) => this.failed(error));
    client.on('close', () => this.lost('the connection closed'));
  }

  /** True when this request should be counted in Redis rather than in memory. */
  shouldTry(): boolean {
    if (this.reachable) return true;
    if (this.client.status !== 'ready') return false;
    const now = Date.now();
    if (now < this.nextProbeAt) return false;
    this.nextProbeAt = now + this.probeIntervalMs;
    return true;
  }

  /** Redis answered, with a count or a refusal. */
  answered(): void {
    if (this.reachable || this.stopped) return;
    this.reachable = true;
    const fields = { redis_url: this.printableUrl };
    if (!this.connectedOnce) {
      this.logger.info('Rate limits are shared across instances through Redis', fields);
    } else if (this.outageLogged) {
      this.logger.info(
        'Redis answers again: rate limits are shared across instances again',
        fields,
      );
    }
    this.connectedOnce = true;
    this.outageLogged = false;
  }

  /** A call or a connection attempt failed or timed out. */
  failed(error: unknown): void {
    if (this.stopped) return;
    this.errors += 1;
    this.lost(error instanceof Error ? error.message : String(error));
  }

  /** Stops following the connection, before it is closed on purpose. */
  stop(): void {
    this.stopped = true;
    this.reachable = false;
  }

  status(): LimiterStatus {
    return {
      store: this.reachable ? 'redis' : 'memory',
      redisConfigured: true,
      redisReachable: this.reachable,
      redisErrors: this.errors,
    };
  }

  private lost(reason: string): void {
    if (this.stopped) return;
    this.reachable = false;
    this.nextProbeAt = Date.now() + this.probeIntervalMs;
    if (this.outageLogged) return;
    this.outageLogged = true;
    this.logger.warn(
      'Redis does not answer: each instance counts rate limits in its own memory until it answers again',
      { redis_url: this.printableUrl, reason: reason.slice(0, MAX_REASON_LENGTH) },
    );
  }
}
