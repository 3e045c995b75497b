// Errors as HTTP answers: the one HttpError class, whose status comes from the error
// catalogue (error-codes.ts), 404/405, the error handler that answers every failure in JSON
// and counts it, and the same JSON for requests Node's parser refuses before Express runs.
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ERROR_CODES, type ErrorCode } from './error-codes';
import { redactPath, type Logger } from './logger';
import { sendJson } from './respond';
import { routeLabelOf } from './route-label';

export { ERROR_CODES, type ErrorCode } from './error-codes';

/** Details attached to an error answer, e.g. one entry per invalid field. */
export type ErrorDetails = ReadonlyArray<{ field: string; message: string }>;

/** What an HttpError may carry beyond its code and message. */
export interface HttpErrorOptions {
  /** Per-field details, never containing secrets. */
  details?: ErrorDetails;
  /** Headers the answer must carry, such as WWW-Authenticate. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * An error that maps to one HTTP answer: `{ "error": { code, message, details? } }`. Its
 * status is the catalogue's for its code: raising one names only the code.
 */
export class HttpError extends Error {
  /** HTTP status code to answer with, from the catalogue. */
  readonly status: number;
  /** Optional per-field details, never containing secrets. */
  readonly details: ErrorDetails | undefined;
  /** Headers the answer must carry, such as WWW-Authenticate. */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(
    /** Stable SCREAMING_SNAKE identifier that clients can branch on. */
    readonly code: ErrorCode,
    message: string,
    options: HttpErrorOptions = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = ERROR_CODES[code].status;
    this.details = options.details;
    this.headers = options.headers;
  }
}

/** The JSON body of every error answer. */
export function errorBody(error: HttpError): {
  error: { code: string; message: string; details?: ErrorDetails };
} {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

/**
 * Turns anything thrown into the HttpError we answer with, or undefined for a 500. Beyond
 * our own, the one client error that reaches here is Express's own: a path whose escape
 * (`%E0%A4%A`) cannot be decoded into a route parameter, which it marks 400 and exposable.
 */
function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
    return new HttpError('BAD_REQUEST', 'The request could not be understood.');
  }
  return undefined;
}

/** Answers 404 NOT_FOUND for every route nobody handled. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError('NOT_FOUND', `No route for ${req.method} ${redactPath(req.path)}.`));
};

/** Answers 405 METHOD_NOT_ALLOWED, naming the methods the route does take. */
export function methodNotAllowed(...allowed: string[]): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Allow', allowed.join(', '));
    next(
      new HttpError(
        'METHOD_NOT_ALLOWED',
        `${req.method} is not allowed here; use ${allowed.join(' or ')}.`,
      ),
    );
  };
}

/** Counts a refusal where it is answered: by route label and error code. */
export type RefusalCounter = (route: string, code: string) => void;

/**
 * The last middleware: every error becomes JSON, counted by `countRefusal`. Unexpected
 * errors are logged in detail and answered with a generic 500, so no stack trace or HTML
 * ever reaches a client.
 */
export function errorHandler(
  logger: Logger,
  countRefusal: RefusalCounter = () => {},
): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let httpError = toHttpError(error);
    if (!httpError) {
      logger.error('unexpected error', {
        request_id: res.locals.requestId,
        method: req.method,
        path: redactPath(req.path),
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      httpError = new HttpError('INTERNAL_ERROR', 'Something went wrong on our side.');
    }
    if (httpError.headers) res.set(httpError.headers);
    countRefusal(routeLabelOf(req), httpError.code);
    sendJson(res, httpError.status, errorBody(httpError));
  };
}

/** Node's parser errors for which the connection can still carry an answer. */
const clientErrorAnswers: Record<string, HttpError> = {
  HPE_HEADER_OVERFLOW: new HttpError(
    'HEADERS_TOO_LARGE',
    'The request headers or URL are too large.',
  ),
  ERR_HTTP_REQUEST_TIMEOUT: new HttpError('REQUEST_TIMEOUT', 'The request took too long.'),
};

/**
 * Answers requests that Node's HTTP parser refuses before Express sees them (oversized
 * headers, malformed HTTP, timeouts) with the same JSON error shape, instead of Node's
 * empty default answer.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer =
      clientErrorAnswers[error.code ?? ''] ??
      new HttpError('BAD_REQUEST', 'The request is not valid HTTP.');
    const body = JSON.stringify(errorBody(answer));
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
