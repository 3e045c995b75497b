// GET /openapi.json: the app's OpenAPI document, built and serialised the first time it is
// asked for, then served from that one buffer (gzipped for clients that take it).
import type { RequestHandler } from 'express';
import type { OpenApiDocument } from '../openapi/types';
import { sendStatic, staticBody, type StaticBody } from '../static-answer';
import type { Route } from './route';

/** `GET /openapi.json`: the document that describes this server as configured. */
function openApiHandler(document: () => OpenApiDocument): RequestHandler {
  let body: StaticBody | undefined;
  return (req, res) => {
    body ??= staticBody('application/json; charset=utf-8', Buffer.from(JSON.stringify(document())));
    // The same for the life of the process: revalidated with its ETag, answered 304.
    sendStatic(req, res, body, 'no-cache');
  };
}

/** The route table's entry for GET /openapi.json, served with the reference. */
export const openApiRoute: Route = {
  method: 'get',
  path: '/openapi.json',
  access: { kind: 'public' },
  servedWhen: (config) => config.docsEnabled,
  handler: ({ openApiDocument }) => openApiHandler(openApiDocument),
};
