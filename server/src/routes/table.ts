// The route table: every route the server serves, once, in the order Express matches them
// and /openapi.json lists them. The app registers it (routes/register.ts) and the document
// is built from it (openapi/document.ts); adding a route is adding its entry here.
import { banRoutes } from './bans';
import { connectionDetailsRoute } from './connection-details';
import { docsAssetRoute, docsPageRoute } from './docs';
import { healthRoute } from './health';
import { openApiRoute } from './openapi';
import { inviteRoutes } from './invites';
import { livekitWebhookRoute } from './livekit-webhook';
import { lobbyRoutes } from './lobby';
import { healthzRoute, readyzRoute } from './probes';
import { roomRoutes } from './rooms';
import type { Route } from './route';
import { tokenRoute } from './token';
import { validateRoute } from './validate';

/** Every route, each with who may call it, its handler and its OpenAPI operation. */
export const ROUTES: readonly Route[] = [
  healthRoute,
  healthzRoute,
  readyzRoute,
  tokenRoute,
  connectionDetailsRoute,
  validateRoute,
  ...banRoutes,
  ...roomRoutes,
  ...inviteRoutes,
  ...lobbyRoutes,
  livekitWebhookRoute,
  openApiRoute,
  docsPageRoute,
  docsAssetRoute,
];
