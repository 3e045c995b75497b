// GET /healthz and GET /readyz: the liveness and readiness probes of load balancers and
// Kubernetes. GET / keeps its own answer (routes/health.ts) for those who already use it.
import type { RequestHandler } from 'express';
import { HttpError } from '../errors';
import type { Readiness } from '../readiness';
import { sendJson } from '../respond';
import { healthzOperation, readyzOperation } from './probes.openapi';
import type { Route } from './route';

/** `GET /healthz`: 200 while the process can answer, draining or not. */
const healthzHandler: RequestHandler = (_req, res) => {
  sendJson(res, 200, { status: 'alive' });
};

/**
 * `GET /readyz`: 200 when this instance can mint tokens as configured (listing, under
 * `degraded`, what it serves without), else 503 listing what is not ready. A failed check also starts `prepare` (fetching the login provider's
 * keys, say), so that the probe itself brings the instance back without waiting for logins.
 */
function readyzHandler(readiness: Readiness, prepare: () => Promise<void>): RequestHandler {
  return (_req, res) => {
    const notReady = readiness.notReady();
    if (notReady.length === 0) {
      const degraded = readiness.degraded();
      sendJson(
        res,
        200,
        degraded.length === 0 ? { status: 'ready' } : { status: 'ready', degraded },
      );
      return;
    }
    if (!readiness.stopping) void prepare();
    throw new HttpError(
      'NOT_READY',
      `Not ready: ${notReady.map((reason) => reason.message).join('; ')}.`,
      { details: notReady },
    );
  };
}

/** The route table's entry for GET /healthz. */
export const healthzRoute: Route = {
  method: 'get',
  path: '/healthz',
  access: { kind: 'public' },
  handler: () => healthzHandler,
  operation: healthzOperation,
};

/** The route table's entry for GET /readyz. */
export const readyzRoute: Route = {
  method: 'get',
  path: '/readyz',
  access: { kind: 'public' },
  handler: ({ readiness, prepare }) => readyzHandler(readiness, prepare),
  operation: readyzOperation,
};
