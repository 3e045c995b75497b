// The connection to the Redis that instances share their budgets through, set up so that
// a Redis that is down, slow or restarting never holds a request up.
import Redis from 'ioredis';

/** Longest a connection attempt (TCP and TLS) may take, in milliseconds. */
const CONNECT_TIMEOUT_MS = 2_000;

/**
 * Longest a closing connection waits for Redis to close its end, in milliseconds; then it
 * is destroyed. A hung Redis never closes it.
 */
export const DISCONNECT_TIMEOUT_MS = 500;

/** The waits between reconnection attempts double up to this, in milliseconds. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * Waits before the `attempt`th reconnection (from 1): 100 ms, 200 ms, 400 ms... then every
 * 2 s for as long as Redis stays away. A few connections a second at most: no log spam,
 * and back within 2 s of Redis.
 */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS);
}

/**
 * Connects to `url` (redis://, or rediss:// with TLS). Every call fails within `timeoutMs`
 * rather than waits: nothing is queued while disconnected (unless `queueWhileConnecting`), nothing retried after a
 * disconnection. The caller must listen for `error`, or ioredis prints every failed
 * reconnection, and must `disconnect()` it to let the process exit.
 */
export function createRedisClient(
  url: string,
  timeoutMs: number,
  options: { queueWhileConnecting?: boolean } = {},
): Redis {
  return new Redis(url, {
    commandTimeout: timeoutMs,
    connectTimeout: CONNECT_TIMEOUT_MS,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    // Rate limits would rather count in memory than wait; moderation waits (up to the
    // timeout) for a connection being made, rather than refuse the first requests.
    enableOfflineQueue: options.queueWhileConnecting ?? false,
    // Calls made in one turn of the event loop go out in one write: under load, the budgets
    // (or admissions) of every request read in that turn. One write a request cost our
    // process and redis-server a syscall each, and put ours-redis-moderated at 0.82x to
    // 0.96x the SDK reference's /token requests/s; batched, 1.13x to 1.16x (bench/README.md).
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: reconnectDelayMs,
  });
}
