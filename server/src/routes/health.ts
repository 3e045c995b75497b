import { Router } from 'express';
import { methodNotAllowed } from '../errors';

/** `GET /`: tells load balancers and people that the server is up, and which version. */
export function healthRouter(version: string): Router {
  const router = Router();
  router
    .route('/')
    .get((_req, res) => {
      res.json({
        status: 'healthy',
        service: 'LiveKit Token Server',
        version,
        timestamp: new Date().toISOString(),
      });
    })
    .all(methodNotAllowed('GET'));
  return router;
}
