// The image, without a Docker engine: the Dockerfile's stages run as processes (its COPY
// and RUN lines, parsed, in folders standing for each stage's WORKDIR), then the runtime
// stage's ENTRYPOINT and HEALTHCHECK run there as the container would run them. What this
// cannot show: the base image itself, the USER switch, and Docker's networking.
// Needs the npm registry (or npm's cache, which the installs prefer) for the two `npm ci`.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { TokenVerifier } from 'livekit-server-sdk';
import {
  cleanEnv,
  freePort,
  PROCESS_TIMEOUT_MS,
  REPO_ROOT,
  runProcess,
  startProcess,
  type RunningProcess,
} from '../support/processes';
import {
  containerCommand,
  healthcheckCommand,
  readDockerfile,
  readDockerignore,
} from './support/dockerfile';
import { PRODUCTION_SECRETS } from './support/server-facts';
import { runStages, type BuiltStage } from './support/stages';

/**
 * Two `npm ci` from npm's cache (some 670 and 145 packages: half a minute here, a few
 * beside the other test files), better-sqlite3 compiled from source (no prebuilt binary can
 * be fetched here: one to two minutes alone, several at low priority beside other test
 * files on two loaded cores) and a build, with room to spare.
 */
const BUILD_TIMEOUT_MS = 1_200_000;

/**
 * The production install's budget: packages, and megabytes of files (10^6 bytes). The
 * moderation store's better-sqlite3 (with prebuild-install's tree, which its install
 * script names) is what grew it from 112 packages and 13 MB.
 */
const MAX_PRODUCTION_PACKAGES = 180;
const MAX_PRODUCTION_MEGABYTES = 45;

/** Packages a server install must never hold: compilers, UI frameworks, bundlers, AI SDKs. */
const NEVER_IN_PRODUCTION = [
  'typescript',
  'vue',
  '@scalar/api-reference',
  'ai',
  'esbuild',
  'webpack',
  'rollup',
  'vite',
  'swagger-ui-dist',
];
/** SIGTERM to exit: the production drain (5 s) plus in-flight requests (up to 10 s). */
const STOP_TIMEOUT_MS = 30_000;

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readPackageJson(path: string): PackageJson {
  return JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as PackageJson;
}

/** Files below `folder` outside node_modules, relative to it. */
function filesOutsideNodeModules(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .filter((path) => !path.split('/').includes('node_modules'));
}

/** The bytes of every file below a folder, as `du -sb` counts them (links not followed). */
function bytesBelow(folder: string): number {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((total, entry) => total + statSync(join(entry.parentPath, entry.name)).size, 0);
}

/** Resolves with the port once the server prints where it listens; rejects if it exits. */
function listeningPort(server: RunningProcess): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no listening line: ${JSON.stringify(server.output())}`)),
      PROCESS_TIMEOUT_MS,
    );
    const check = () => {
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(server.output().stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    };
    server.child.stdout?.on('data', check);
    server.child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the server exited at start-up: ${JSON.stringify(server.output())}`));
    });
  });
}

/** Resolves with where the server said it serves metrics; rejects if it exits first. */
function metricsAddress(server: RunningProcess): Promise<{ host: string; port: number }> {
  return new Promise((resolveAddress, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no metrics line: ${JSON.stringify(server.output())}`)),
      PROCESS_TIMEOUT_MS,
    );
    const check = () => {
      const match = /metrics on http:\/\/([^"/]+):(\d+)\/metrics/.exec(server.output().stdout);
      if (match?.[1] && match[2]) {
        clearTimeout(timer);
        resolveAddress({ host: match[1], port: Number(match[2]) });
      }
    };
    server.child.stdout?.on('data', check);
    check();
    server.child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the server exited at start-up: ${JSON.stringify(server.output())}`));
    });
  });
}

describe('the Docker image, built and run as processes', () => {
  const dockerfile = readDockerfile();
  let work: string;
  let runtime: BuiltStage;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'docker-stages-'));
    const built = await runStages(dockerfile, work, readDockerignore());
    const last = dockerfile.stages.at(-1);
    const found = built.get(last?.name ?? String(dockerfile.stages.length - 1));
    if (found === undefined) throw new Error('the runtime stage did not run');
    runtime = found;
  }, BUILD_TIMEOUT_MS);

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  describe('runtime stage', () => {
    it('holds no devDependency of the workspace, nor the CLI', () => {
      // A devDependency that a production one also needs (the lock file says) may be there.
      const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { dev?: boolean }>;
      };
      const devOnly = Object.keys(readPackageJson('package.json').devDependencies ?? {}).filter(
        (name) => lock.packages[`node_modules/${name}`]?.dev === true,
      );
      expect(devOnly).toEqual(
        expect.arrayContaining(['jest', 'livekit-server-sdk', 'typescript', 'swagger-ui-dist']),
      );
      const present = [...devOnly, 'request-token'].filter((name) =>
        existsSync(join(runtime.folder, 'node_modules', name)),
      );
      expect(present).toEqual([]);
    });

    it(`stays within ${MAX_PRODUCTION_PACKAGES} packages and ${MAX_PRODUCTION_MEGABYTES} MB`, () => {
      const installed = JSON.parse(
        readFileSync(join(runtime.folder, 'node_modules', '.package-lock.json'), 'utf8'),
      ) as { packages: Record<string, { link?: boolean }> };
      const packages = Object.entries(installed.packages).filter(([, entry]) => !entry.link);
      const megabytes = bytesBelow(join(runtime.folder, 'node_modules')) / 1e6;
      // The numbers themselves, for the note, whatever the outcome.
      console.log(`production install: ${packages.length} packages, ${megabytes.toFixed(1)} MB`);
      expect(packages.length).toBeLessThanOrEqual(MAX_PRODUCTION_PACKAGES);
      expect(megabytes).toBeLessThanOrEqual(MAX_PRODUCTION_MEGABYTES);
    });

    it('holds no compiler, UI framework, bundler or documentation UI package', () => {
      const present = NEVER_IN_PRODUCTION.filter((name) =>
        existsSync(join(runtime.folder, 'node_modules', name)),
      );
      expect(present).toEqual([]);
    });

    it("holds the API reference's built files, so DOCS=on works in the image", () => {
      const docs = join(runtime.folder, 'server', 'dist', 'docs');
      expect(readdirSync(docs)).toEqual(
        expect.arrayContaining([
          'swagger-ui-bundle.js',
          'swagger-ui-bundle.js.gz',
          'swagger-ui.css',
        ]),
      );
    });

    it('lists no dev package in what npm installed', () => {
      const installed = JSON.parse(
        readFileSync(join(runtime.folder, 'node_modules', '.package-lock.json'), 'utf8'),
      ) as { packages: Record<string, { dev?: boolean }> };
      const dev = Object.entries(installed.packages).filter(([, entry]) => entry.dev === true);
      expect(dev.map(([path]) => path)).toEqual([]);
    });

    it('holds every production dependency of the server', () => {
      const missing = Object.keys(readPackageJson('server/package.json').dependencies ?? {}).filter(
        (name) =>
          !existsSync(join(runtime.folder, 'node_modules', name, 'package.json')) &&
          !existsSync(join(runtime.folder, 'server', 'node_modules', name, 'package.json')),
      );
      expect(missing).toEqual([]);
    });

    it('holds the compiled server and manifests, and no source, test or .env', () => {
      const files = filesOutsideNodeModules(runtime.folder);
      expect(files).toContain('server/dist/index.js');
      const others = files.filter(
        (file) => !file.startsWith('server/dist/') && !/(^|\/)package(-lock)?\.json$/.test(file),
      );
      expect(others).toEqual([]);
      expect(files.filter((file) => file.endsWith('.ts'))).toEqual([]);
    });
  });

  describe('its ENTRYPOINT, with the image’s environment and production settings', () => {
    const verifier = new TokenVerifier(
      PRODUCTION_SECRETS.LIVEKIT_API_KEY,
      PRODUCTION_SECRETS.LIVEKIT_API_SECRET,
    );
    let serverEnv: NodeJS.ProcessEnv;
    let server: RunningProcess;
    let port: number;

    beforeAll(async () => {
      serverEnv = cleanEnv({
        ...runtime.env,
        AUTH_MODE: 'api-key',
        LIVEKIT_API_KEY: PRODUCTION_SECRETS.LIVEKIT_API_KEY,
        LIVEKIT_API_SECRET: PRODUCTION_SECRETS.LIVEKIT_API_SECRET,
        TOKEN_SERVER_API_KEYS: PRODUCTION_SECRETS.TOKEN_SERVER_API_KEYS,
        TOKEN_SERVER_HOST: '127.0.0.1',
        TOKEN_SERVER_PORT: '0',
        // The image's 9464 would collide with test files running alongside.
        METRICS_PORT: 'off',
      });
      const [command = '', ...args] = containerCommand(runtime.stage);
      server = startProcess(command, args, { cwd: runtime.folder, env: serverEnv });
      port = await listeningPort(server);
    });

    afterAll(() => {
      if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    });

    it('runs with NODE_ENV=production from the image: no browser origin allowed by default', async () => {
      expect(runtime.env.NODE_ENV).toBe('production');
      // Outside production, loopback origins such as this one are allowed by default.
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        headers: { Origin: 'http://localhost:3000' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('mints a token LiveKit accepts for POST /token with an API key', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/token`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-API-Key': PRODUCTION_SECRETS.TOKEN_SERVER_API_KEYS,
        },
        body: JSON.stringify({
          user_email: 'ada@example.com',
          full_name: 'Ada Lovelace',
          room_name: 'deploy-check',
        }),
      });
      expect(response.status).toBe(200);
      const { token } = (await response.json()) as { token: string };
      const claims = await verifier.verify(token);
      expect(claims.sub).toBe('ada@example.com');
      expect(claims.video).toMatchObject({ room: 'deploy-check', roomJoin: true });
    });

    it('refuses POST /token without the API key', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user_email: 'ada@example.com', full_name: 'Ada Lovelace' }),
      });
      expect(response.status).toBe(401);
    });

    it('passes its HEALTHCHECK command', async () => {
      const [command = '', ...args] = healthcheckCommand(runtime.stage) ?? [];
      // The container's environment, where TOKEN_SERVER_PORT is the port it listens on.
      const result = await runProcess(command, args, {
        cwd: runtime.folder,
        env: { ...serverEnv, TOKEN_SERVER_PORT: String(port) },
      });
      expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    });

    it('fails its HEALTHCHECK command where nothing listens', async () => {
      const [command = '', ...args] = healthcheckCommand(runtime.stage) ?? [];
      const result = await runProcess(command, args, {
        cwd: runtime.folder,
        env: { ...serverEnv, TOKEN_SERVER_PORT: String(await freePort()) },
      });
      expect(result.exitCode).toBe(1);
    });

    it(
      'exits 0 on SIGTERM, as `docker stop` sends it',
      async () => {
        server.child.kill('SIGTERM');
        const result = await server.exited(STOP_TIMEOUT_MS);
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toContain('Received SIGTERM');
      },
      STOP_TIMEOUT_MS + 5_000,
    );
  });

  describe('its ENTRYPOINT with metrics on, as the image sets them', () => {
    let server: RunningProcess;

    beforeAll(() => {
      const [command = '', ...args] = containerCommand(runtime.stage);
      server = startProcess(command, args, {
        cwd: runtime.folder,
        env: cleanEnv({
          ...runtime.env,
          AUTH_MODE: 'api-key',
          LIVEKIT_API_KEY: PRODUCTION_SECRETS.LIVEKIT_API_KEY,
          LIVEKIT_API_SECRET: PRODUCTION_SECRETS.LIVEKIT_API_SECRET,
          TOKEN_SERVER_API_KEYS: PRODUCTION_SECRETS.TOKEN_SERVER_API_KEYS,
          TOKEN_SERVER_HOST: '127.0.0.1',
          TOKEN_SERVER_PORT: '0',
          // A free port rather than the image's 9464, which test files running alongside
          // could hold; the interface is the image's own METRICS_HOST.
          METRICS_PORT: '0',
        }),
      });
    });

    afterAll(() => {
      if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    });

    it('serves /metrics on every interface of the container, for a scraper from outside', async () => {
      const { host, port } = await metricsAddress(server);
      expect(host).toBe(runtime.env.METRICS_HOST);
      expect(host).toBe('0.0.0.0');
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('process_cpu_user_seconds_total');
    });
  });
});
