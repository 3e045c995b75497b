// Reading a request body as JSON: refuse other media types with 415 before parsing, then
// parse with Express's own reader up to a route's size limit.
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import { HttpError } from './errors';

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

/** The steps that turn a request body into `req.body`, refusing more than `limitBytes`. */
export function jsonBody(limitBytes: number): RequestHandler[] {
  return [requireJsonBody, express.json({ limit: limitBytes, type: parsesAsJson })];
}
