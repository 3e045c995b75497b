#!/usr/bin/env node
// Serves the example pages, and livekit-client's files from the repository's node_modules,
// with Node's own http module: `node examples/web/serve.mjs [--port 5173] [--host localhost]`.
// It serves this folder and the livekit-client package directory, nothing else.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const DEFAULT_PORT = 5173;
const DEFAULT_HOST = 'localhost';

/** The URL path of the livekit-client package directory, where the page's import map points. */
const LIVEKIT_CLIENT_PREFIX = '/node_modules/livekit-client/';

/** Paths that serve a page of this folder under a shorter name; the query stays for the page. */
const PAGE_ALIASES = new Map([
  ['/', 'index.html'],
  ['/join', 'join.html'],
  ['/host', 'host.html'],
]);

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/** The livekit-client package directory, found as Node finds the package from this folder. */
async function livekitClientDirectory() {
  let entry;
  try {
    // The package's `require` entry is dist/livekit-client.umd.js: two levels below its root.
    entry = createRequire(import.meta.url).resolve('livekit-client');
  } catch {
    throw new Error(
      'livekit-client is not installed: run `npm ci` in the repository root (a devDependency).',
    );
  }
  return realpath(dirname(dirname(entry)));
}

/** Whether `path` is `root` itself or inside it; both are absolute and resolved. */
function isInside(root, path) {
  const fromRoot = relative(root, path);
  return fromRoot !== '..' && !fromRoot.startsWith(`..${sep}`) && !isAbsolute(fromRoot);
}

function answer(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
}

/**
 * The request handler. A path is decoded, mapped onto one of the two roots and resolved;
 * anything that resolves outside its root, symbolic links followed, is refused with 403.
 */
function staticFiles(pageRoot, livekitRoot) {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return answer(res, 405, 'Method not allowed');
    }
    // The path as sent, `..` segments included (new URL() would drop them, and would read
    // `//host/file` as another host): whatever escapes its root is refused below.
    const [rawPath = ''] = (req.url ?? '').split(/[?#]/, 1);
    let path;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return answer(res, 400, 'Bad request');
    }
    if (!path.startsWith('/') || path.includes('\0')) return answer(res, 400, 'Bad request');
    const [root, rest] = path.startsWith(LIVEKIT_CLIENT_PREFIX)
      ? [livekitRoot, path.slice(LIVEKIT_CLIENT_PREFIX.length)]
      : [pageRoot, PAGE_ALIASES.get(path) ?? path.slice(1)];
    const file = resolve(root, rest);
    if (!isInside(root, file)) return answer(res, 403, 'Forbidden');
    let realFile;
    try {
      realFile = await realpath(file);
      if (!(await stat(realFile)).isFile()) return answer(res, 404, 'Not found');
    } catch {
      return answer(res, 404, 'Not found');
    }
    if (!isInside(root, realFile)) return answer(res, 403, 'Forbidden');
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(realFile)] ?? 'application/octet-stream',
      'X-Content-Type-Options': 'nosniff',
      // Always revalidate, so that an edited app.js shows on the next reload.
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(realFile)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}

/** The port and host: --port, else PORT, else 5173; --host, else localhost. */
function options(argv, env) {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string' } },
  });
  const rawPort = values.port ?? env.PORT ?? String(DEFAULT_PORT);
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) {
    throw new Error(`the port must be a whole number from 0 to 65535, got "${rawPort}"`);
  }
  return { port, host: values.host ?? DEFAULT_HOST };
}

async function main() {
  const { port, host } = options(process.argv.slice(2), process.env);
  const pageRoot = await realpath(dirname(fileURLToPath(import.meta.url)));
  const server = createServer(staticFiles(pageRoot, await livekitClientDirectory()));
  await new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, host, () => resolveListen());
  });
  const urlHost = host.includes(':') ? `[${host}]` : host;
  console.log(`Serving the example page on http://${urlHost}:${server.address().port}/`);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
  }
}

main().catch((error) => {
  const reason = error.code === 'EADDRINUSE' ? 'the port is in use; pass --port' : error.message;
  console.error(`serve.mjs: ${reason}`);
  process.exit(1);
});
