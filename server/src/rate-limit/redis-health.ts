// Whether the shared Redis answers: followed from the connection's events and from each
// call, with one log line when it stops answering and one when it answers again. A call
// that fails now and then (a process not scheduled for a moment) does not make Redis
// "away"; several in a row do, and then the connection is made anew, since replies lost on
// the way would otherwise go to the wrong commands for as long as it lasts.
import type Redis from 'ioredis';
import type { Logger } from '../logger';
import type { LimiterStatus } from './types';

/** While Redis does not answer, one request in this many milliseconds tries it again. */
export const REDIS_PROBE_INTERVAL_MS = 1_000;

/** Calls failing in a row that make Redis away: fewer are the noise of a busy host. */
export const FAILURES_BEFORE_AWAY = 3;

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
  private failuresInARow = 0;
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
    client.on('error', (error: Error) => {
      // The connection itself failed: away at once, whatever came before.
      this.errors += 1;
      this.lost(error.message);
    });
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
    this.failuresInARow = 0;
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

  /**
   * A call failed or timed out. After FAILURES_BEFORE_AWAY in a row Redis is away, and a
   * connection that still looks ready is made anew: a reply lost on the way (a proxy
   * dropping bytes, a half-dead link) leaves every later reply matched to the wrong call.
   */
  failed(error: unknown): void {
    if (this.stopped) return;
    this.errors += 1;
    this.failuresInARow += 1;
    if (this.failuresInARow < FAILURES_BEFORE_AWAY) return;
    this.lost(error instanceof Error ? error.message : String(error));
    if (this.client.status === 'ready') {
      this.failuresInARow = 0;
      this.client.disconnect(true);
    }
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
      'Redis does not answer: each instance counts rate limits in its own memory, a share of each budget, until it answers again',
      { redis_url: this.printableUrl, reason: reason.slice(0, MAX_REASON_LENGTH) },
    );
  }
}
