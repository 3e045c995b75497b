// Serving metrics as Prometheus text: GET /metrics on a listener of its own, apart from the
// API's port, so that it can stay on a private interface. A scrape flood must not slow the
// API: with workers, each collection asks every worker over IPC, and ~350 scrapes a second
// raised /token's latency tenfold. So the text is collected at most once a second (scrapes
// in between get the same text), only two scrapes may wait for a collection, and slow
// clients are cut off as the API's own listener cuts them off.
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { answerClientErrors, errorBody, HttpError } from '../errors';
import { silentLogger, type Logger } from '../logger';

/** Where metrics are served. */
export const METRICS_PATH = '/metrics';

/** What /metrics serves: an app's registry, or the sum of a cluster's workers. */
export interface MetricsSource {
  /** The Content-Type of the text: Prometheus' `text/plain; version=0.0.4`. */
  readonly contentType: string;
  /** The metrics as text, collected now. */
  metrics(): Promise<string>;
}

/** How the metrics listener spends its work and waits on its clients. */
export interface MetricsServerOptions {
  /** How long a collected text is served again, in milliseconds; 0 collects every scrape. */
  cacheMs: number;
  /** Scrapes that may wait for a collection at once; more get 429 RATE_LIMITED. */
  maxWaitingScrapes: number;
  /** Longest a client may take to send its request, headers included, in milliseconds. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open, in milliseconds. */
  keepAliveTimeoutMs: number;
  /** How often Node looks for requests past their timeout, in milliseconds. */
  timeoutCheckIntervalMs: number;
  /** The clock the cache reads, in milliseconds; injectable for tests. */
  now: () => number;
}

/**
 * A scrape is a few hundred bytes sent at once, so 5 s (cut off within 6 s) is generous; a
 * Prometheus scraping every 15 s or more never finds its keep-alive connection still open.
 */
export const DEFAULT_METRICS_SERVER_OPTIONS: MetricsServerOptions = {
  cacheMs: 1_000,
  maxWaitingScrapes: 2,
  requestTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
  timeoutCheckIntervalMs: 1_000,
  now: () => performance.now(),
};

/**
 * `source`'s text, collected at most once every `cacheMs`: scrapes that come while one
 * collection runs share it, and a failed collection is not kept.
 */
function cached(source: MetricsSource, cacheMs: number, now: () => number) {
  let kept: { text: string; collectedAt: number } | undefined;
  let collecting: Promise<string> | undefined;
  return {
    /** The text, if one collected less than `cacheMs` ago is kept. */
    fresh: (): string | undefined =>
      kept !== undefined && now() - kept.collectedAt < cacheMs ? kept.text : undefined,
    collect: (): Promise<string> => {
      // Through a promise even if metrics() throws at once: every scrape gets its answer.
      collecting ??= Promise.resolve()
        .then(() => source.metrics())
        .then(
          (text) => {
            kept = { text, collectedAt: now() };
            collecting = undefined;
            return text;
          },
          (error: unknown) => {
            collecting = undefined;
            throw error;
          },
        );
      return collecting;
    },
  };
}

function answer(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(text);
}

/** Answers with the API's JSON error shape, and the error's headers. */
function answerError(res: ServerResponse, error: HttpError): void {
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  answer(res, error.status, 'application/json; charset=utf-8', JSON.stringify(errorBody(error)));
}

/**
 * Answers `GET /metrics` with `source`'s metrics, 404 NOT_FOUND for every other path and
 * 405 for other methods. A failed collection is logged and answered 500; a scrape that would
 * be the third to wait for a collection is answered 429 RATE_LIMITED with Retry-After.
 */
export function metricsRequestListener(
  source: MetricsSource,
  logger: Logger = silentLogger,
  options: Pick<
    MetricsServerOptions,
    'cacheMs' | 'maxWaitingScrapes' | 'now'
  > = DEFAULT_METRICS_SERVER_OPTIONS,
): RequestListener {
  const text = cached(source, options.cacheMs, options.now);
  let waiting = 0;
  return (req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== METRICS_PATH) {
      answerError(res, new HttpError('NOT_FOUND', `Metrics are at GET ${METRICS_PATH}.`));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      answerError(
        res,
        new HttpError('METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use GET.`),
      );
      return;
    }
    const fresh = text.fresh();
    if (fresh !== undefined) {
      answer(res, 200, source.contentType, fresh);
      return;
    }
    if (waiting >= options.maxWaitingScrapes) {
      answerError(
        res,
        new HttpError('RATE_LIMITED', 'Too many scrapes at once; retry in a second.', {
          headers: { 'Retry-After': '1' },
        }),
      );
      return;
    }
    waiting += 1;
    text
      .collect()
      .then(
        (collected) => answer(res, 200, source.contentType, collected),
        (error: unknown) => {
          logger.error('cannot collect metrics', {
            error: error instanceof Error ? error.message : String(error),
          });
          answerError(res, new HttpError('INTERNAL_ERROR', 'The metrics cannot be collected.'));
        },
      )
      .finally(() => {
        waiting -= 1;
      });
  };
}

/**
 * An HTTP server, not yet listening, that answers only GET /metrics from `source`, with
 * Node's timeouts set and its parser's refusals answered in JSON, as the API's are.
 */
export function createMetricsServer(
  source: MetricsSource,
  logger: Logger = silentLogger,
  options: MetricsServerOptions = DEFAULT_METRICS_SERVER_OPTIONS,
): Server {
  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: options.requestTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      connectionsCheckingInterval: options.timeoutCheckIntervalMs,
    },
    metricsRequestListener(source, logger, options),
  );
  answerClientErrors(server);
  return server;
}
