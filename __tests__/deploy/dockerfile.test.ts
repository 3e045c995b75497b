// The Dockerfile and .dockerignore, read as Docker reads them. What the stages do when run
// is production-install.process.test.ts's job.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig } from '../../server/src/config';
import { REPO_ROOT } from '../support/processes';
import {
  containerCommand,
  copyParts,
  execForm,
  healthcheckCommand,
  instructionsOf,
  readDockerfile,
  readDockerignore,
  stageEnv,
  type Stage,
} from './support/dockerfile';
import {
  EVERY_INTERFACE,
  LIVENESS_PATH,
  METRICS_DEFAULT_PORT,
  PRODUCTION_SECRETS,
  readRepoFile,
  SERVER_DEFAULT_PORT,
} from './support/server-facts';

const dockerfile = readDockerfile();
const runtime = dockerfile.stages.at(-1) as Stage;
const build = dockerfile.stages[0] as Stage;
const ignored = readDockerignore();

/**
 * Production dependencies with an install script that the image's `npm ci --ignore-scripts`
 * skips, and why that is safe. A new one fails the test until someone checks it.
 */
const SKIPPABLE_INSTALL_SCRIPTS: Record<string, string> = {
  'better-sqlite3':
    'its native module is built in the build stage (npm rebuild better-sqlite3), where the compilers are, and copied into the runtime stage',
};

/** The command of each RUN of a stage. */
function runCommands(stage: Stage): string[] {
  return instructionsOf(stage, 'RUN').map((run) => run.args);
}

/** Every file below a repository folder, as paths relative to the repository. */
function filesBelow(folder: string): string[] {
  return readdirSync(join(REPO_ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(REPO_ROOT, join(entry.parentPath, entry.name)));
}

describe('Dockerfile', () => {
  it('has a build stage and a separate runtime stage', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.name).not.toBe(build.name);
  });

  it('builds on Node.js of the major version package.json requires', () => {
    const engines = (JSON.parse(readRepoFile('package.json')) as { engines: { node: string } })
      .engines.node;
    const major = /(\d+)/.exec(engines)?.[1];
    for (const stage of dockerfile.stages) {
      expect(stage.base).toMatch(new RegExp(`^node:${major}-`));
    }
  });

  describe('build stage', () => {
    it('installs exactly what the lock file says, then builds', () => {
      const commands = runCommands(build).join('\n');
      expect(commands).toMatch(/\bnpm ci\b/);
      expect(commands).toMatch(/\bnpm run build\b/);
    });

    it("builds better-sqlite3's native module, which the runtime stage copies", () => {
      expect(runCommands(build).join('\n')).toMatch(/\bnpm rebuild better-sqlite3\b/);
    });
  });

  describe('runtime stage', () => {
    it('installs the production dependencies only, from the lock file', () => {
      const installs = runCommands(runtime).filter((command) => /\bnpm ci\b/.test(command));
      expect(installs).toHaveLength(1);
      expect(installs[0]).toMatch(/--omit=dev\b/);
      expect(runCommands(runtime).join('\n')).not.toMatch(/\bnpm (install|i)\b/);
    });

    it('skips install scripts, which would run the root prepare script (tsc is not installed)', () => {
      const rootScripts = (JSON.parse(readRepoFile('package.json')) as { scripts: object }).scripts;
      expect(Object.keys(rootScripts)).toContain('prepare');
      expect(runCommands(runtime).find((command) => /\bnpm ci\b/.test(command))).toMatch(
        /--ignore-scripts\b/,
      );
    });

    it('needs no install script of a production dependency, which --ignore-scripts skips', () => {
      const lock = JSON.parse(readRepoFile('package-lock.json')) as {
        packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }>;
      };
      const withScripts = Object.entries(lock.packages)
        .filter(([, entry]) => entry.hasInstallScript === true && entry.dev !== true)
        .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
      expect(withScripts.filter((name) => !Object.hasOwn(SKIPPABLE_INSTALL_SCRIPTS, name))).toEqual(
        [],
      );
    });

    it('copies from the build context only package manifests and the lock file', () => {
      const sources = instructionsOf(runtime, 'COPY')
        .filter((copy) => copy.flags.from === undefined)
        .flatMap((copy) => copyParts(copy).sources);
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) expect(source).toMatch(/(^|\/)package(-lock)?\.json$/);
    });

    it('copies from the build stage only the compiled server and the native module', () => {
      const fromBuild = instructionsOf(runtime, 'COPY').filter(
        (copy) => copy.flags.from !== undefined,
      );
      expect(fromBuild.map((copy) => copy.flags.from)).toEqual([build.name, build.name]);
      expect(fromBuild.flatMap((copy) => copyParts(copy).sources)).toEqual([
        '/app/server/dist',
        '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      ]);
    });

    it('sets NODE_ENV=production', () => {
      expect(stageEnv(runtime).NODE_ENV).toBe('production');
    });

    it('runs as a non-root user', () => {
      const user = instructionsOf(runtime, 'USER').at(-1)?.args;
      expect(user).toBeDefined();
      expect(user?.split(':')[0]).not.toMatch(/^(root|0)$/);
      // USER after the last RUN: installs run as root, the server does not.
      const keywords = runtime.instructions.map(({ keyword }) => keyword);
      expect(keywords.lastIndexOf('USER')).toBeGreaterThan(keywords.lastIndexOf('RUN'));
    });

    it('starts node on the compiled entry point in exec form, so SIGTERM reaches node', () => {
      const entrypoint = instructionsOf(runtime, 'ENTRYPOINT').at(-1);
      expect(entrypoint && execForm(entrypoint.args)).toBeDefined();
      for (const cmd of instructionsOf(runtime, 'CMD')) expect(execForm(cmd.args)).toBeDefined();
      expect(containerCommand(runtime)).toEqual(['node', 'server/dist/index.js']);
    });

    it('exposes the API and metrics ports the server listens on by default', () => {
      const exposed = instructionsOf(runtime, 'EXPOSE').flatMap((expose) =>
        expose.args.split(/\s+/).map((port) => Number(port.replace(/\/tcp$/, ''))),
      );
      expect(exposed).toEqual(expect.arrayContaining([SERVER_DEFAULT_PORT, METRICS_DEFAULT_PORT]));
    });

    it('serves metrics on every interface, so that the exposed metrics port can be scraped', () => {
      const config = loadConfig({
        ...stageEnv(runtime),
        AUTH_MODE: 'api-key',
        ...PRODUCTION_SECRETS,
      });
      expect(config.metricsPort).toBe(METRICS_DEFAULT_PORT);
      expect(EVERY_INTERFACE).toContain(config.metricsHost);
    });

    it('says by its METRICS_HOST that the metrics port is for the cluster’s scraper only', () => {
      const lines = /((?:^#.*\n)+)ENV METRICS_HOST=/m.exec(readRepoFile('Dockerfile'))?.[1];
      const comment = lines?.replace(/\n?^# ?/gm, ' ');
      expect(comment).toMatch(/scraper only/);
      expect(comment).toMatch(/never to the internet/);
    });

    it('checks health with node on /healthz, not curl or wget (absent from slim images)', () => {
      const command = healthcheckCommand(runtime);
      expect(command?.[0]).toBe('node');
      expect(command?.join(' ')).toContain(`'${LIVENESS_PATH}'`);
      expect(instructionsOf(runtime, 'HEALTHCHECK')[0]?.args).not.toMatch(/\b(curl|wget)\b/);
    });
  });
});

describe('.dockerignore', () => {
  it.each(['.env', '.env.local', '.git', 'node_modules', 'server/node_modules', 'server/dist'])(
    'keeps %s out of the build context',
    (path) => {
      expect(ignored(path)).toBe(true);
    },
  );

  it.each(['coverage', 'bench/results', '__tests__/deploy/dockerfile.test.ts'])(
    'keeps %s out of the build context',
    (path) => {
      expect(ignored(path)).toBe(true);
    },
  );

  it('lets in every file the Dockerfile copies from the context', () => {
    const sources = dockerfile.stages
      .flatMap((stage) => instructionsOf(stage, 'COPY'))
      .filter((copy) => copy.flags.from === undefined)
      .flatMap((copy) => copyParts(copy).sources);
    const files = sources.flatMap((source) =>
      statSync(join(REPO_ROOT, source)).isDirectory() ? filesBelow(source) : [source],
    );
    expect(files).toContain('server/src/index.ts');
    expect(files.filter((file) => ignored(file))).toEqual([]);
  });
});
