// Reading the Dockerfile and .dockerignore as Docker does, for the subset of the syntax
// they use: comments, line continuations, `--flag=value` options, exec and shell forms,
// ARG substitution in FROM. Anything else a test meets fails it rather than being guessed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/processes';

/** One instruction, its continuation lines joined. */
export interface Instruction {
  /** Upper case: `COPY`, `RUN`... */
  keyword: string;
  /** Leading `--name=value` options, such as COPY's `--from`. */
  flags: Record<string, string>;
  /** The rest of the instruction, after the options. */
  args: string;
}

/** One `FROM` and what follows it. */
export interface Stage {
  name: string | undefined;
  /** The base image, with build arguments substituted. */
  base: string;
  instructions: Instruction[];
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  args: Record<string, string>;
  stages: Stage[];
}

/** Splits `--a=1 --b=2 rest` into its options and the rest. */
function splitFlags(text: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = text.trim();
  for (
    let match = /^--([\w-]+)=(\S+)\s*/.exec(rest);
    match;
    match = /^--([\w-]+)=(\S+)\s*/.exec(rest)
  ) {
    flags[match[1] ?? ''] = match[2] ?? '';
    rest = rest.slice(match[0].length);
  }
  return { flags, rest };
}

/** Logical lines: comments and blank lines dropped, continuations joined. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    // Docker drops comment lines even inside a continuation.
    if (trimmed.startsWith('#') || (trimmed === '' && current === '')) continue;
    if (trimmed.endsWith('\\')) {
      current += `${trimmed.slice(0, -1).trim()} `;
      continue;
    }
    lines.push(`${current}${trimmed}`.trim());
    current = '';
  }
  if (current.trim() !== '') lines.push(current.trim());
  return lines.filter((line) => line !== '');
}

/** Substitutes `${NAME}` and `$NAME` from `values`; an unknown name fails. */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string, bare: string) => {
    const name = braced ?? bare;
    const value = values[name];
    if (value === undefined) throw new Error(`${name} is not a build argument`);
    return value;
  });
}

/** Parses a Dockerfile's text. */
export function parseDockerfile(text: string): Dockerfile {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logicalLines(text)) {
    const [word = '', ...restWords] = line.split(/\s+/);
    const keyword = word.toUpperCase();
    const { flags, rest } = splitFlags(restWords.join(' '));
    const current = stages.at(-1);
    if (keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!match?.[1]) throw new Error(`cannot read FROM ${rest}`);
      stages.push({ base: substitute(match[1], args), name: match[2], instructions: [] });
    } else if (current === undefined) {
      if (keyword !== 'ARG') throw new Error(`${keyword} before the first FROM`);
      const equals = rest.indexOf('=');
      if (equals === -1) args[rest] = '';
      else args[rest.slice(0, equals)] = rest.slice(equals + 1);
    } else {
      current.instructions.push({ keyword, flags, args: rest });
    }
  }
  return { args, stages };
}

/** The repository's Dockerfile, parsed. */
export function readDockerfile(): Dockerfile {
  return parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
}

/** The instructions of a stage with a keyword. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The words of an exec-form instruction (`["node", "x.js"]`), or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  const words: unknown = JSON.parse(args);
  if (!Array.isArray(words) || !words.every((word) => typeof word === 'string')) {
    throw new Error(`not an exec form: ${args}`);
  }
  return words as string[];
}

/** A COPY's sources and destination (shell or exec form). */
export function copyParts(instruction: Instruction): { sources: string[]; destination: string } {
  const words = execForm(instruction.args) ?? instruction.args.split(/\s+/);
  const destination = words.at(-1);
  if (destination === undefined || words.length < 2) {
    throw new Error(`cannot read COPY ${instruction.args}`);
  }
  return { sources: words.slice(0, -1), destination };
}

/** The variables an `ENV` instruction sets (`A=1 B="two words"`, or legacy `A 1`). */
export function envAssignments(args: string): Record<string, string> {
  if (!args.includes('=')) {
    const [name = '', ...value] = args.split(/\s+/);
    return { [name]: value.join(' ') };
  }
  const assignments: Record<string, string> = {};
  for (const match of args.matchAll(/(\w+)=("[^"]*"|'[^']*'|\S*)/g)) {
    const value = match[2] ?? '';
    assignments[match[1] ?? ''] = /^["']/.test(value) ? value.slice(1, -1) : value;
  }
  return assignments;
}

/** The environment a stage's ENV instructions give its processes. */
export function stageEnv(stage: Stage): Record<string, string> {
  return Object.assign({}, ...instructionsOf(stage, 'ENV').map((env) => envAssignments(env.args)));
}

/** The `CMD` of a HEALTHCHECK, after its options: `["node", "-e", ...]`. */
export function healthcheckCommand(stage: Stage): string[] | undefined {
  const healthcheck = instructionsOf(stage, 'HEALTHCHECK').at(-1);
  if (healthcheck === undefined) return undefined;
  const match = /^CMD\s+(.*)$/s.exec(healthcheck.args);
  if (!match?.[1]) throw new Error(`cannot read HEALTHCHECK ${healthcheck.args}`);
  return execForm(match[1]) ?? ['/bin/sh', '-c', match[1]];
}

/** What the container runs: ENTRYPOINT followed by CMD, both in exec form. */
export function containerCommand(stage: Stage): string[] {
  const entrypoint = instructionsOf(stage, 'ENTRYPOINT').at(-1);
  const cmd = instructionsOf(stage, 'CMD').at(-1);
  const entryWords = entrypoint === undefined ? [] : execForm(entrypoint.args);
  const cmdWords = cmd === undefined ? [] : execForm(cmd.args);
  if (entryWords === undefined || cmdWords === undefined) {
    throw new Error('ENTRYPOINT and CMD must be in exec form');
  }
  return [...entryWords, ...cmdWords];
}

/**
 * A .dockerignore as a predicate on paths relative to the context (`server/src/app.ts`).
 * Patterns are anchored at the context's root, `*` stays within one path segment, `**`
 * spans any number, `!` re-includes, and a path is excluded when it or a parent folder
 * matches: Docker's rules for the patterns this repository uses.
 */
export function dockerignoreMatcher(text: string): (relativePath: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
      const source = pattern
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) => {
          if (part === '**/') return '(?:.*/)?';
          if (part === '**') return '.*';
          if (part === '*') return '[^/]*';
          if (part === '?') return '[^/]';
          return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
        })
        .join('');
      return { negated, regex: new RegExp(`^${source}$`) };
    });
  return (relativePath) => {
    const segments = relativePath.split('/');
    const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (candidates.some((candidate) => rule.regex.test(candidate))) excluded = !rule.negated;
    }
    return excluded;
  };
}

/** The repository's .dockerignore as a predicate. */
export function readDockerignore(): (relativePath: string) => boolean {
  return dockerignoreMatcher(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8'));
}
