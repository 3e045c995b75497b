// GET /docs: the interactive API reference, Scalar's, reading /openapi.json. Its script is
// served from node_modules by the routes below, never from a CDN: many deployments have no
// internet. The page is written here rather than by @scalar/express-api-reference, which is
// an ES module our CommonJS build cannot load on every Node 20, and which inlines its start-up
// script, so that the page would need 'unsafe-inline' or a hash in its CSP.
import type { RequestHandler } from 'express';

/** Where the reference's assets are served. */
export const DOCS_ASSETS_PATH = '/docs/assets';

/** Scalar's browser bundle, which defines the global `Scalar`. */
const SCALAR_BUNDLE = require.resolve('@scalar/api-reference/browser/standalone.js');

/**
 * Scalar's settings: read /openapi.json, and call nothing but this server. Its defaults
 * fetch fonts from fonts.scalar.com and offer an AI agent and "developer tools" that call
 * Scalar's own services.
 */
const SCALAR_CONFIGURATION = {
  url: '/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  showDeveloperTools: 'never',
  documentDownloadType: 'json',
  // A handful of routes: show them all at once.
  defaultOpenAllTags: true,
};

/** The script that starts the reference, served as a file so that the CSP needs no inline script. */
const START_SCRIPT = `Scalar.createApiReference('#app', ${JSON.stringify(SCALAR_CONFIGURATION)});\n`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>LiveKit token server API</title>
    <link rel="icon" href="data:," />
  </head>
  <body>
    <div id="app"></div>
    <script src="${DOCS_ASSETS_PATH}/scalar.js"></script>
    <script src="${DOCS_ASSETS_PATH}/start.js"></script>
  </body>
</html>
`;

/**
 * The page's Content-Security-Policy: the app's `default-src 'none'` relaxed as little as the
 * reference needs, as found in Chromium: scripts only from this server; the styles Scalar
 * injects at run time (hence 'unsafe-inline' for styles, never for scripts); the page's
 * data: favicon; fetches to this server alone (the document, and "send request").
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** `GET /docs`: the reference's page, with its own, relaxed CSP. */
export const docsPageHandler: RequestHandler = (_req, res) => {
  res.setHeader('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
  res.type('html').send(PAGE);
};

/** `GET /docs/assets/:asset`: Scalar's bundle from node_modules, and the start script. */
export const docsAssetHandler: RequestHandler = (req, res, next) => {
  switch (req.params.asset) {
    case 'scalar.js':
      // 3.5 MB: browsers keep it and revalidate with If-Modified-Since (a 304, no body).
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(SCALAR_BUNDLE);
      return;
    case 'start.js':
      res.type('text/javascript').send(START_SCRIPT);
      return;
    default:
      // Past this route's 405, to the 404 of any unknown path.
      next('route');
  }
};
