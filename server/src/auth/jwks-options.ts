// How the login provider's key set is fetched and kept: settings without the code, so that
// reading them does not load jose (25 ms of start-up) in modes that never verify a JWT.

/** How one fetch of the key set ended: for the metrics, which count each kind. */
export type JwksFetchOutcome = 'ok' | 'error' | 'timeout' | 'too_large';

/** How the key set is fetched and kept. */
export interface JwksOptions {
  /** Longest one fetch may take, headers and body together, in milliseconds. */
  timeoutMs: number;
  /** Largest key set accepted, in bytes. */
  maxBytes: number;
  /** Least time between two fetches caused by an unknown `kid`, in milliseconds. */
  cooldownMs: number;
  /** A key set older than this is fetched again before use, in milliseconds. */
  maxAgeMs: number;
  /** The pause after a first failed fetch, doubled after each further one, in milliseconds. */
  initialBackoffMs: number;
  /** The longest pause between failed fetches, in milliseconds. */
  maxBackoffMs: number;
  /** Told how each fetch ended, when given: the app's metrics count them. */
  onFetch?: (outcome: JwksFetchOutcome) => void;
}

/** Defaults: 5 s and 1 MiB per fetch, a 30 s cooldown, keys refreshed every 10 minutes. */
export const DEFAULT_JWKS_OPTIONS: JwksOptions = {
  timeoutMs: 5_000,
  maxBytes: 1024 * 1024,
  cooldownMs: 30_000,
  maxAgeMs: 10 * 60_000,
  initialBackoffMs: 1_000,
  maxBackoffMs: 30_000,
};
