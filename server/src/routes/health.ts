// GET /: the health answer, unchanged since the first version.
import type { RequestHandler } from 'express';
import { sendJson } from '../respond';
import { SERVER_VERSION } from '../version';
import { healthOperation } from './health.openapi';
import type { Route } from './route';

/** `GET /`: tells load balancers and people that the server is up, and which version. */
const healthHandler: RequestHandler = (_req, res) => {
  sendJson(res, 200, {
    status: 'healthy',
    service: 'LiveKit Token Server',
    version: SERVER_VERSION,
    timestamp: new Date().toISOString(),
  });
};

/** The route table's entry for GET /. */
export const healthRoute: Route = {
  method: 'get',
  path: '/',
  access: { kind: 'public' },
  handler: () => healthHandler,
  operation: healthOperation,
};
