import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import cors from 'cors';
import express, { type RequestHandler } from 'express';
import type { Config } from './config';
import { errorHandler, HttpError, methodNotAllowed, notFound } from './errors';
import { TokenSigner } from './grants';
import { silentLogger, type Logger } from './logger';
import { healthHandler } from './routes/health';
import { tokenHandler } from './routes/token';
import { validateHandler } from './routes/validate';

/** Largest accepted request body; a token request is a few hundred bytes. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** The server package's version, reported by `GET /`. */
export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** True for a request declared as JSON, or not declared at all. */
function parsesAsJson(req: IncomingMessage): boolean {
  const contentType = req.headers['content-type'];
  if (contentType === undefined) return true;
  return contentType.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * Refuses a body declared as something other than JSON with 415, before anything parses it.
 * A body with no Content-Type at all is parsed as JSON: Node's own clients send an empty
 * POST that way, and anything that is not JSON then fails as malformed.
 */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  // req.is answers null when there is no body at all, which is fine: fields are checked later.
  if (!parsesAsJson(req) && req.is('application/json') === false) {
    next(
      new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'Send the request body as JSON with Content-Type: application/json.',
      ),
    );
    return;
  }
  next();
};

/** Token answers are credentials: no cache, proxy or browser may keep them. */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** Logs one line per request. Only the path is logged: the query string may carry a token. */
function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const startedAt = performance.now();
    res.on('finish', () => {
      logger.info('request', {
        method: req.method,
        path: req.originalUrl.split('?', 1)[0],
        status: res.statusCode,
        duration_ms: Math.round((performance.now() - startedAt) * 100) / 100,
        ip: req.ip,
      });
    });
    next();
  };
}

/** Options for createApp beyond the configuration. */
export interface AppOptions {
  /** Where access logs and unexpected errors go; silent by default. */
  logger?: Logger;
}

/** Builds the Express app for a configuration. It never listens: the caller does. */
export function createApp(config: Config, options: AppOptions = {}): express.Express {
  const logger = options.logger ?? silentLogger;
  const signer = new TokenSigner(config);
  const app = express();
  app.disable('x-powered-by');
  // Every answer is fresh (tokens, timestamps): hashing it for an ETag is wasted work.
  app.set('etag', false);
  app.use(accessLog(logger));
  app.use(
    cors({
      origin: config.corsOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['Content-Type', 'Authorization'],
      maxAge: 600,
    }),
  );
  // Routes sit directly on the app, one layer each: nested routers cost time on every request.
  const jsonBody = [
    noStore,
    requireJsonBody,
    express.json({ limit: BODY_LIMIT_BYTES, type: parsesAsJson }),
  ];
  app.route('/').get(healthHandler(SERVER_VERSION)).all(methodNotAllowed('GET'));
  app.route('/token').post(jsonBody, tokenHandler(config, signer)).all(methodNotAllowed('POST'));
  app.route('/validate').post(jsonBody, validateHandler(signer)).all(methodNotAllowed('POST'));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
