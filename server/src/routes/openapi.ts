// GET /openapi.json: the app's OpenAPI document, serialised once when the app is built.
import type { RequestHandler } from 'express';
import type { OpenApiDocument } from '../openapi/types';

/** `GET /openapi.json`: the document that describes this server as configured. */
export function openApiHandler(document: OpenApiDocument): RequestHandler {
  const body = JSON.stringify(document);
  const length = Buffer.byteLength(body);
  return (_req, res) => {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', length);
    res.end(body);
  };
}
