// Serving metrics as Prometheus text: GET /metrics on a listener of its own, apart from the
// API's port, so that it can stay on a private interface.
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { errorBody, HttpError } from '../errors';
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

function answer(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(text);
}

/** Answers with the API's JSON error shape. */
function answerError(res: ServerResponse, error: HttpError): void {
  answer(res, error.status, 'application/json; charset=utf-8', JSON.stringify(errorBody(error)));
}

/**
 * Answers `GET /metrics` with `source`'s metrics, 404 NOT_FOUND for every other path and
 * 405 for other methods. A failed collection is logged and answered 500.
 */
export function metricsRequestListener(
  source: MetricsSource,
  logger: Logger = silentLogger,
): RequestListener {
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
    source.metrics().then(
      (text) => answer(res, 200, source.contentType, text),
      (error: unknown) => {
        logger.error('cannot collect metrics', {
          error: error instanceof Error ? error.message : String(error),
        });
        answerError(res, new HttpError('INTERNAL_ERROR', 'The metrics cannot be collected.'));
      },
    );
  };
}

/** An HTTP server, not yet listening, that answers only GET /metrics from `source`. */
export function createMetricsServer(source: MetricsSource, logger: Logger = silentLogger): Server {
  return createServer(metricsRequestListener(source, logger));
}
