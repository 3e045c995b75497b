// The login provider's key set (JWKS), fetched and cached here rather than by jose's
// createRemoteJWKSet: its timeout covers only the wait for the response headers, so a JWKS
// that sent headers and then stalled held every later login forever, and it read a body of
// any size. Each fetch here is bounded in total time and in bytes, a failure is logged once
// and followed by a growing pause, and a cached key set keeps serving while a refresh fails.
import * as jose from 'jose';
import type { Logger } from '../logger';
import { withoutCredentials } from '../logger';
import type { JwksFetchOutcome, JwksOptions } from './jwks-options';

/** The key set cannot be had now: the login provider's outage, answered 503. */
export class KeysUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeysUnavailableError';
  }
}

/** A fetch that failed in a way the metrics tell apart from other failures. */
class KeySetFetchError extends Error {
  constructor(
    message: string,
    readonly outcome: Exclude<JwksFetchOutcome, 'ok' | 'error'>,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KeySetFetchError';
  }
}

/** Sends an HTTP request; the global fetch in real use. */
export type Fetch = (url: URL, init: RequestInit) => Promise<Response>;

type LocalKeySet = ReturnType<typeof jose.createLocalJWKSet>;

/** Reads a body to its end, failing past `maxBytes` or once `signal` aborts. */
async function readCapped(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  signal: AbortSignal,
): Promise<string> {
  const reader = body.getReader();
  const aborted = new Promise<never>((_resolve, reject) => {
    const fail = () => reject(new Error('timed out reading the key set'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  // The race is ours: a stalled body must not outlive the timeout whatever the stream does.
  aborted.catch(() => undefined);
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        throw new KeySetFetchError(`the key set is larger than ${maxBytes} bytes`, 'too_large');
      }
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A remote JWKS with bounded fetches. `getKey` is what jose's jwtVerify takes as its key:
 * it answers the key for a token's header, fetching the key set first when there is none,
 * when it is old, or when the header names a `kid` it lacks (at most once per cooldown).
 */
export class RemoteKeySet {
  readonly #url: URL;
  /** Basic credentials from the URL's user info, which fetch refuses inside a URL. */
  readonly #authorization: string | undefined;
  readonly #options: JwksOptions;
  readonly #logger: Logger;
  readonly #fetch: Fetch;
  #keys: LocalKeySet | undefined;
  #fetchedAt = 0;
  #inFlight: Promise<void> | undefined;
  #failures = 0;
  #retryAt = 0;
  #outageLogged = false;

  constructor(url: string, options: JwksOptions, logger: Logger, fetchImpl: Fetch = fetch) {
    this.#url = new URL(url);
    if (this.#url.username !== '' || this.#url.password !== '') {
      const userInfo = `${decodeURIComponent(this.#url.username)}:${decodeURIComponent(this.#url.password)}`;
      this.#authorization = `Basic ${Buffer.from(userInfo, 'utf8').toString('base64')}`;
      this.#url.username = '';
      this.#url.password = '';
    }
    this.#options = options;
    this.#logger = logger;
    this.#fetch = fetchImpl;
  }

  /** True once a key set has been fetched: jwt logins can then be checked. */
  get ready(): boolean {
    return this.#keys !== undefined;
  }

  /** Fetches the key set now, as at start-up; never throws, a failure is logged. */
  async prefetch(): Promise<void> {
    await this.#refresh().catch(() => undefined);
  }

  /** The key that verifies a token with this header; jose's jwtVerify calls it. */
  getKey = async (
    header: jose.JWSHeaderParameters,
    token: jose.FlattenedJWSInput,
  ): Promise<jose.KeyLike | Uint8Array> => {
    if (this.#keys === undefined || Date.now() - this.#fetchedAt > this.#options.maxAgeMs) {
      await this.#refreshKeepingCached();
    }
    const keys = this.#keys as LocalKeySet;
    try {
      return await keys(header, token);
    } catch (error) {
      const unknownKey = error instanceof jose.errors.JWKSNoMatchingKey;
      if (!unknownKey || Date.now() - this.#fetchedAt < this.#options.cooldownMs) throw error;
    }
    // A kid we lack may be a key the provider just rotated in: fetch once, and if the fetch
    // fails the outage is the answer, not the caller's token.
    await this.#refresh();
    return (this.#keys as LocalKeySet)(header, token);
  };

  /** Refreshes, but a failure with keys in hand keeps serving those keys. */
  async #refreshKeepingCached(): Promise<void> {
    try {
      await this.#refresh();
    } catch (error) {
      if (this.#keys === undefined) throw error;
    }
  }

  /** Fetches the key set once for every caller waiting on it, or fails fast while paused. */
  #refresh(): Promise<void> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    if (Date.now() < this.#retryAt) {
      return Promise.reject(
        new KeysUnavailableError('the last fetch of the key set failed; waiting before the next'),
      );
    }
    this.#inFlight = this.#fetchKeySet()
      .then(
        (keys) => {
          this.#options.onFetch?.('ok');
          this.#keys = keys;
          this.#fetchedAt = Date.now();
          this.#failures = 0;
          this.#retryAt = 0;
          if (this.#outageLogged) {
            this.#logger.info('login provider keys fetched again', { url: this.#publicUrl() });
            this.#outageLogged = false;
          }
        },
        (error: unknown) => {
          this.#options.onFetch?.(error instanceof KeySetFetchError ? error.outcome : 'error');
          this.#failures += 1;
          const { initialBackoffMs, maxBackoffMs } = this.#options;
          const pause = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (this.#failures - 1));
          this.#retryAt = Date.now() + pause;
          const reason = error instanceof Error ? error.message : String(error);
          // Once per outage: a provider that is down for an hour is one log line, not one
          // per login attempt.
          if (!this.#outageLogged) {
            this.#logger.warn('cannot fetch the login provider keys', {
              url: this.#publicUrl(),
              error: reason,
            });
            this.#outageLogged = true;
          }
          throw new KeysUnavailableError(reason);
        },
      )
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  /** One fetch, bounded in time (headers and body) and size, parsed into a key set. */
  async #fetchKeySet(): Promise<LocalKeySet> {
    const { timeoutMs, maxBytes } = this.#options;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await this.#fetch(this.#url, {
        signal: controller.signal,
        headers: {
          accept: 'application/json',
          ...(this.#authorization === undefined ? {} : { authorization: this.#authorization }),
        },
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`the key set URL answered HTTP ${response.status}`);
      const declared = Number(response.headers.get('content-length') ?? '0');
      if (declared > maxBytes) {
        throw new KeySetFetchError(`the key set is larger than ${maxBytes} bytes`, 'too_large');
      }
      if (response.body === null) throw new Error('the key set URL answered no body');
      const text = await readCapped(response.body, maxBytes, controller.signal);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error('the key set is not JSON');
      }
      try {
        return jose.createLocalJWKSet(parsed as jose.JSONWebKeySet);
      } catch {
        throw new Error('the key set is not a JWKS');
      }
    } catch (error) {
      if (controller.signal.aborted) {
        throw new KeySetFetchError(`no key set within ${timeoutMs} ms`, 'timeout', {
          cause: error,
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  #publicUrl(): string {
    return withoutCredentials(this.#url.href);
  }
}
