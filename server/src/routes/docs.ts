// GET /docs: the interactive API reference, Swagger UI (what FastAPI's /docs shows), reading
// /openapi.json. Its script and styles are served by this server from the copies the build
// puts in server/dist/docs, never from a CDN: many deployments have no internet. They are
// read on the first request for the reference, never at start-up, and a build without them
// answers /docs with a 503 naming the fix rather than failing to start.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RequestHandler } from 'express';
import { HttpError } from '../errors';
import { sendStatic, staticBody, type StaticBody } from '../static-answer';
import type { Route } from './route';

/** Where the reference's assets are served. */
export const DOCS_ASSETS_PATH = '/docs/assets';

/**
 * Where the build copies Swagger UI's files (scripts/copy-docs-assets.mjs): server/dist/docs,
 * found from this file whether it runs compiled (dist/routes) or as source (src/routes).
 */
export const DEFAULT_DOCS_ASSETS_FOLDER = resolve(__dirname, '..', '..', 'dist', 'docs');

/** The files the build copies, and the type each is served with. */
const ASSET_FILES = {
  script: { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8', ext: 'js' },
  styles: { file: 'swagger-ui.css', type: 'text/css; charset=utf-8', ext: 'css' },
} as const;

/**
 * Swagger UI's settings: read /openapi.json and call nothing but this server. Its default
 * validator badge would send the document to validator.swagger.io.
 */
const SWAGGER_UI_CONFIGURATION = {
  url: '/openapi.json',
  dom_id: '#app',
  validatorUrl: null,
  // Every operation listed, each opened on a click: a handful of routes.
  docExpansion: 'list',
  // The body's fields, shown with their rules, rather than an example alone.
  defaultModelRendering: 'model',
  defaultModelExpandDepth: 3,
  // The schemas section repeats what each route shows.
  defaultModelsExpandDepth: -1,
  displayRequestDuration: true,
};

/** The script that starts the reference, served as a file so that the CSP needs no inline script. */
const START_SCRIPT = `window.ui = SwaggerUIBundle(Object.assign(${JSON.stringify(SWAGGER_UI_CONFIGURATION)}, { presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout' }));\n`;

/** The reference's files in memory: each under a name that carries its hash. */
interface DocsAssets {
  page: StaticBody;
  /** By the name the page asks for, e.g. `swagger-ui.3f9a0c21b7.js`. */
  byName: ReadonlyMap<string, StaticBody>;
}

function pageHtml(script: string, styles: string, start: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>LiveKit token server API</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${DOCS_ASSETS_PATH}/${styles}" />
  </head>
  <body>
    <div id="app"></div>
    <script src="${DOCS_ASSETS_PATH}/${script}"></script>
    <script src="${DOCS_ASSETS_PATH}/${start}"></script>
  </body>
</html>
`;
}

/** Reads the built assets from `folder`, or answers which file is missing. */
function readDocsAssets(folder: string): DocsAssets | { missing: string } {
  const byName = new Map<string, StaticBody>();
  const names: Record<string, string> = {};
  for (const [role, { file, type, ext }] of Object.entries(ASSET_FILES)) {
    const path = join(folder, file);
    if (!existsSync(path)) return { missing: path };
    const gzipPath = `${path}.gz`;
    const body = staticBody(
      type,
      readFileSync(path),
      existsSync(gzipPath) ? readFileSync(gzipPath) : undefined,
    );
    const name = `swagger-ui.${body.hash}.${ext}`;
    byName.set(name, body);
    names[role] = name;
  }
  const start = staticBody('text/javascript; charset=utf-8', Buffer.from(START_SCRIPT));
  const startName = `start.${start.hash}.js`;
  byName.set(startName, start);
  const page = staticBody(
    'text/html; charset=utf-8',
    Buffer.from(pageHtml(names.script ?? '', names.styles ?? '', startName)),
  );
  return { page, byName };
}

/**
 * The page's Content-Security-Policy: the app's `default-src 'none'` relaxed as little as
 * Swagger UI needs, as found in Chromium: scripts and styles only from this server, plus the
 * inline styles its components set (hence 'unsafe-inline' for styles, never for scripts);
 * the icons it draws as data: images; fetches to this server alone (the document, and
 * "Try it out").
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The assets read so far, by folder: read once per process, whatever number of apps. */
const assetsByFolder = new Map<string, DocsAssets>();

/** The reference's assets in `folder`, read the first time they are asked for. */
function docsAssetsIn(folder: string): () => DocsAssets {
  return () => {
    const cached = assetsByFolder.get(folder);
    if (cached !== undefined) return cached;
    const read = readDocsAssets(folder);
    if ('missing' in read) {
      // Not kept: a build run meanwhile makes the page work without a restart.
      throw new HttpError(
        'DOCS_UNAVAILABLE',
        'The API reference is not built into this server: its Swagger UI files are missing from server/dist/docs. Run `npm run build` (it copies them from the swagger-ui-dist devDependency), or use /openapi.json directly.',
      );
    }
    assetsByFolder.set(folder, read);
    return read;
  };
}

/** `GET /docs`: the reference's page, with its own, relaxed CSP. */
function docsPageHandler(assets: () => DocsAssets): RequestHandler {
  return (req, res) => {
    const { page } = assets();
    res.setHeader('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    // The page names its assets by hash: revalidated each time, so a new build shows at once.
    sendStatic(req, res, page, 'no-cache');
  };
}

/** `GET /docs/assets/:asset`: Swagger UI's files and the start script, by their hashed names. */
function docsAssetHandler(assets: () => DocsAssets): RequestHandler {
  return (req, res, next) => {
    const asset = assets().byName.get(String(req.params.asset));
    if (asset === undefined) {
      // Past this route's 405, to the 404 of any unknown path.
      next('route');
      return;
    }
    // A name that carries the hash of its bytes never changes meaning: cached for a year.
    sendStatic(req, res, asset, 'public, max-age=31536000, immutable');
  };
}

const servedWithDocs = (config: { docsEnabled: boolean }): boolean => config.docsEnabled;

/** The route table's entry for GET /docs. */
export const docsPageRoute: Route = {
  method: 'get',
  path: '/docs',
  access: { kind: 'public' },
  servedWhen: servedWithDocs,
  handler: ({ docsAssetsFolder }) => docsPageHandler(docsAssetsIn(docsAssetsFolder)),
};

/** The route table's entry for GET /docs/assets/:asset. */
export const docsAssetRoute: Route = {
  method: 'get',
  path: `${DOCS_ASSETS_PATH}/:asset`,
  access: { kind: 'public' },
  servedWhen: servedWithDocs,
  handler: ({ docsAssetsFolder }) => docsAssetHandler(docsAssetsIn(docsAssetsFolder)),
};
