// GET /: the health answer, unchanged since the first version.
import type { RequestHandler } from 'express';
import { sendJson } from '../respond';

/** `GET /`: tells load balancers and people that the server is up, and which version. */
export function healthHandler(version: string): RequestHandler {
  return (_req, res) => {
    sendJson(res, 200, {
      status: 'healthy',
      service: 'LiveKit Token Server',
      version,
      timestamp: new Date().toISOString(),
    });
  };
}
