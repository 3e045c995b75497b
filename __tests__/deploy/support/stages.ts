// Runs a Dockerfile's stages as processes, for machines without a Docker engine (this
// one, CI's): each stage gets a folder standing for its WORKDIR; COPY copies from the
// repository (less what .dockerignore excludes) or from an earlier stage's folder, and RUN
// runs its command with /bin/sh in that folder with the stage's ENV. What the base image
// brings (node, npm) is this machine's own. An instruction this does not know fails the
// run rather than being skipped.
import { cpSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join, posix, relative } from 'node:path';
import { REPO_ROOT, runProcess } from '../../support/processes';
import {
  copyParts,
  envAssignments,
  type Dockerfile,
  type Instruction,
  type Stage,
} from './dockerfile';

/** Longest one RUN may take, in milliseconds: `npm ci` of 900 packages, a native build. */
const RUN_TIMEOUT_MS = 1_200_000;

/** Instructions that describe the image rather than build it: nothing to run here. */
const DESCRIPTIVE = new Set([
  'USER',
  'EXPOSE',
  'HEALTHCHECK',
  'ENTRYPOINT',
  'CMD',
  'LABEL',
  'STOPSIGNAL',
  'VOLUME',
]);

/** A stage that has run: its WORKDIR, the folder standing for it, and its ENV. */
export interface BuiltStage {
  stage: Stage;
  /** The WORKDIR inside the image, such as /app. */
  workdir: string;
  /** The folder on this machine standing for `workdir`. */
  folder: string;
  env: Record<string, string>;
}

/** Where a path inside a stage's image lies in the folder standing for its WORKDIR. */
function hostPath(built: BuiltStage, imagePath: string): string {
  const absolute = posix.resolve(built.workdir, imagePath);
  const inside = posix.relative(built.workdir, absolute);
  if (inside.startsWith('..')) {
    throw new Error(`${imagePath} is outside WORKDIR ${built.workdir}: not emulated`);
  }
  return join(built.folder, inside);
}

function copy(
  instruction: Instruction,
  built: BuiltStage,
  earlier: ReadonlyMap<string, BuiltStage>,
  ignored: (relativePath: string) => boolean,
): void {
  const { sources, destination } = copyParts(instruction);
  const from = instruction.flags.from;
  const fromStage = from === undefined ? undefined : earlier.get(from);
  if (from !== undefined && fromStage === undefined) throw new Error(`no stage named ${from}`);
  const target = hostPath(built, destination);
  const intoFolder = destination.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    if (/[*?[]/.test(source)) throw new Error(`COPY wildcards are not emulated: ${source}`);
    const origin = fromStage === undefined ? join(REPO_ROOT, source) : hostPath(fromStage, source);
    if (fromStage === undefined && ignored(posix.normalize(source))) {
      throw new Error(`COPY ${source}: .dockerignore excludes it from the build context`);
    }
    if (!existsSync(origin)) throw new Error(`COPY ${source}: no such file`);
    if (statSync(origin).isDirectory()) {
      // Docker copies a folder's contents, not the folder itself.
      cpSync(origin, target, {
        recursive: true,
        filter: (path) =>
          fromStage !== undefined || !ignored(relative(REPO_ROOT, path).split('\\').join('/')),
      });
    } else {
      const file = intoFolder ? join(target, basename(source)) : target;
      mkdirSync(dirname(file), { recursive: true });
      cpSync(origin, file);
    }
  }
}

/**
 * Runs every stage of `dockerfile` under `into`, in order, and answers each by name (and
 * by index, for unnamed stages). RUN commands get PATH and HOME from this machine (npm's
 * cache, standing in for the Dockerfile's cache mount) plus the stage's ENV.
 */
export async function runStages(
  dockerfile: Dockerfile,
  into: string,
  ignored: (relativePath: string) => boolean,
): Promise<Map<string, BuiltStage>> {
  const builtStages = new Map<string, BuiltStage>();
  for (const [index, stage] of dockerfile.stages.entries()) {
    const name = stage.name ?? String(index);
    const built: BuiltStage = { stage, workdir: '/', folder: join(into, name), env: {} };
    mkdirSync(built.folder, { recursive: true });
    for (const instruction of stage.instructions) {
      switch (instruction.keyword) {
        case 'WORKDIR':
          if (built.workdir !== '/') throw new Error('one WORKDIR per stage is emulated');
          built.workdir = instruction.args;
          break;
        case 'ENV':
          Object.assign(built.env, envAssignments(instruction.args));
          break;
        case 'COPY':
          copy(instruction, built, builtStages, ignored);
          break;
        case 'RUN': {
          // Options such as --mount=type=cache change where npm keeps its cache, not what
          // the command does. nice: the test files running alongside keep their CPU.
          const result = await runProcess(
            'nice',
            ['-n', '19', '/bin/sh', '-c', instruction.args],
            {
              cwd: built.folder,
              env: {
                PATH: process.env.PATH ?? '',
                HOME: process.env.HOME ?? '',
                // npm's cache stands in for the cache mount: use what it holds, as a warm
                // mount would, rather than ask the registry about every package again.
                npm_config_prefer_offline: 'true',
                ...built.env,
              },
            },
            RUN_TIMEOUT_MS,
          );
          if (result.exitCode !== 0) {
            throw new Error(
              `RUN ${instruction.args} exited ${result.exitCode}: ${result.stdout}${result.stderr}`,
            );
          }
          break;
        }
        default:
          if (!DESCRIPTIVE.has(instruction.keyword)) {
            throw new Error(`${instruction.keyword} is not emulated: teach stages.ts`);
          }
      }
    }
    builtStages.set(name, built);
  }
  return builtStages;
}
