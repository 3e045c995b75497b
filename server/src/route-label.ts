// How metrics name the route of a request: the path it was declared with, never the path it
// asked for, which a client chooses and could fill a time series database with.
import type { Request } from 'express';

/** The route label of requests no route matched. */
export const OTHER_ROUTE = 'other';

/** The route a request matched, as declared (`/token`), or OTHER_ROUTE. */
export function routeLabelOf(req: Request): string {
  const path: unknown = req.route?.path;
  return typeof path === 'string' ? path : OTHER_ROUTE;
}
