// Errors as HTTP answers: the one HttpError class, the translations of body-parser and
// Node parser errors, 404/405, and the error handler that answers every failure in JSON.
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { redactPath, type Logger } from './logger';
import { sendJson } from './respond';

/** Details attached to an error answer, e.g. one entry per invalid field. */
export type ErrorDetails = ReadonlyArray<{ field: string; message: string }>;

/** An error that maps to one HTTP answer: `{ "error": { code, message, details? } }`. */
export class HttpError extends Error {
  constructor(
    /** HTTP status code to answer with. */
    readonly status: number,
    /** Stable SCREAMING_SNAKE identifier that clients can branch on. */
    readonly code: string,
    message: string,
    /** Optional per-field details, never containing secrets. */
    readonly details?: ErrorDetails,
    /** Headers the answer must carry, such as WWW-Authenticate. */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'HttpError';
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

/** Errors raised by body-parser, keyed by their `type`, translated to our own. */
const bodyParserErrors: Record<string, (limit: unknown) => HttpError> = {
  'entity.parse.failed': () =>
    new HttpError(400, 'MALFORMED_JSON', 'The request body is not valid JSON.'),
  'entity.too.large': (limit) =>
    new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${String(limit)} bytes.`),
  'encoding.unsupported': () =>
    new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body encoding is not supported.'),
  'charset.unsupported': () =>
    new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8 JSON.'),
  'request.aborted': () => new HttpError(400, 'REQUEST_ABORTED', 'The request was aborted.'),
  'request.size.invalid': () =>
    new HttpError(400, 'BAD_REQUEST', 'The request body does not match its Content-Length.'),
};

/** Shape of the errors thrown by body-parser and http-errors. */
interface HttpLikeError {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
  limit?: unknown;
}

/** Turns anything thrown into the HttpError we answer with, or undefined for a 500. */
function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const httpLike = error as HttpLikeError;
  if (typeof httpLike.type === 'string') {
    const translate = bodyParserErrors[httpLike.type];
    if (translate) return translate(httpLike.limit);
  }
  // Other client errors from Express itself (a malformed URI, say) carry a 4xx status.
  if (
    typeof httpLike.status === 'number' &&
    httpLike.status >= 400 &&
    httpLike.status < 500 &&
    httpLike.expose === true
  ) {
    return new HttpError(httpLike.status, 'BAD_REQUEST', 'The request could not be understood.');
  }
  return undefined;
}

/** Answers 404 NOT_FOUND for every route nobody handled. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'NOT_FOUND', `No route for ${req.method} ${redactPath(req.path)}.`));
};

/** Answers 405 METHOD_NOT_ALLOWED, naming the methods the route does take. */
export function methodNotAllowed(...allowed: string[]): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Allow', allowed.join(', '));
    next(
      new HttpError(
        405,
        'METHOD_NOT_ALLOWED',
        `${req.method} is not allowed here; use ${allowed.join(' or ')}.`,
      ),
    );
  };
}

/**
 * The last middleware: every error becomes JSON. Unexpected errors are logged in detail
 * and answered with a generic 500, so no stack trace or HTML ever reaches a client.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let httpError = toHttpError(error);
    if (!httpError) {
      logger.error('unexpected error', {
        request_id: res.locals.requestId as string | undefined,
        method: req.method,
        path: redactPath(req.path),
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      httpError = new HttpError(500, 'INTERNAL_ERROR', 'Something went wrong on our side.');
    }
    if (httpError.headers) res.set(httpError.headers);
    // For the metrics, which count refusals by code.
    res.locals.errorCode = httpError.code;
    sendJson(res, httpError.status, errorBody(httpError));
  };
}

/** Node's parser errors for which the connection can still carry an answer. */
const clientErrorAnswers: Record<string, HttpError> = {
  HPE_HEADER_OVERFLOW: new HttpError(
    431,
    'HEADERS_TOO_LARGE',
    'The request headers or URL are too large.',
  ),
  ERR_HTTP_REQUEST_TIMEOUT: new HttpError(408, 'REQUEST_TIMEOUT', 'The request took too long.'),
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
      new HttpError(400, 'BAD_REQUEST', 'The request is not valid HTTP.');
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
