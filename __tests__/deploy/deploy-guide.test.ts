// docs/deploy.md, read against the files it describes and what the server does: every
// deployment file is in its table, and what it says of shared rate limits is what
// server/src/rate-limit/cluster-store.ts does (worker-supervisor.process.test.ts runs it).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/processes';
import { readRepoFile } from './support/server-facts';

const GUIDE = 'docs/deploy.md';
const guide = readRepoFile(GUIDE);

/** The prose a reader is given: README, docs/ and .env.example. */
const READER_FILES = [
  'README.md',
  '.env.example',
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** Every file below deploy/, relative to the repository. */
function deployFiles(): string[] {
  return readdirSync(join(REPO_ROOT, 'deploy'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(REPO_ROOT.length + 1));
}

/** The files the guide's table names, as patterns (`deploy/kubernetes/*.yaml`). */
function tabledPatterns(): RegExp[] {
  return [...guide.matchAll(/^\|\s*((?:`[^`]+`(?:,\s*)?)+)\s*\|/gm)]
    .flatMap(([, cell]) => [...(cell ?? '').matchAll(/`([^`]+)`/g)].map(([, path]) => path ?? ''))
    .map(
      (path) =>
        new RegExp(`^${path.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`),
    );
}

describe(GUIDE, () => {
  it('names every file below deploy/ in its table', () => {
    const patterns = tabledPatterns();
    expect(patterns.length).toBeGreaterThan(0);
    const files = deployFiles();
    expect(files).toContain('deploy/kubernetes/deployment.yaml');
    expect(files.filter((file) => !patterns.some((pattern) => pattern.test(file)))).toEqual([]);
  });

  it('says that the workers of one instance share one budget without Redis', () => {
    const workers = /^- \*\*Workers\*\*:([\s\S]*?)(?=^- |^$)/m.exec(guide)?.[1] ?? '';
    expect(workers.replace(/\s+/g, ' ')).toMatch(
      /share one budget per caller without Redis: the primary process counts for all of them/,
    );
    expect(workers.replace(/\s+/g, ' ')).toMatch(/Only separate instances need Redis to share/);
  });

  it.each(READER_FILES)('%s never says workers share rate limits only through Redis', (file) => {
    const text = readRepoFile(file).replace(/\s+/g, ' ');
    expect(text).not.toMatch(/workers[^.]*only (through|with|via) Redis/i);
  });
});
