// The routes /openapi.json describes, in the order it lists them. Each one's operation sits
// beside its handler (routes/<name>.openapi.ts); adding a route to the document is adding
// it here.
import { connectionDetailsRoute } from '../routes/connection-details.openapi';
import { healthRoute } from '../routes/health.openapi';
import { healthzRoute, readyzRoute } from '../routes/probes.openapi';
import { tokenRoute } from '../routes/token.openapi';
import { validateRoute } from '../routes/validate.openapi';
import type { DocumentedRoute } from './types';

/** Every route the document describes. */
export const DOCUMENTED_ROUTES: readonly DocumentedRoute[] = [
  healthRoute,
  healthzRoute,
  readyzRoute,
  tokenRoute,
  connectionDetailsRoute,
  validateRoute,
];
