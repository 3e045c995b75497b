import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, REPO_ROOT, runProcess } from '../support/processes';

let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'request-token-home-'));
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

/** npm or npx with a clean environment and an empty home and cache of its own. */
function run(command: 'npm' | 'npx', args: string[], cwd: string) {
  const env = cleanEnv({ HOME: home, npm_config_cache: join(home, 'cache') });
  return runProcess(command, args, { cwd, env }, 60_000);
}

describe('request-token as the README runs it', () => {
  describe('npx --no-install request-token inside the repository', () => {
    it('runs our CLI', async () => {
      const result = await run('npx', ['--no-install', 'request-token', '--help'], REPO_ROOT);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('Usage: request-token [options]');
    });
  });

  describe('npx --no-install request-token outside the repository', () => {
    let outside: string;

    beforeAll(() => {
      outside = mkdtempSync(join(tmpdir(), 'request-token-outside-'));
    });

    afterAll(() => {
      rmSync(outside, { recursive: true, force: true });
    });

    it('fails without downloading anything', async () => {
      const result = await runProcess(
        'npx',
        ['--no-install', 'request-token', '--help'],
        {
          cwd: outside,
          env: cleanEnv({ HOME: outside, npm_config_cache: join(outside, 'cache') }),
        },
        60_000,
      );
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).not.toContain('Usage: request-token');
    });
  });

  it('the README never shows an npx request-token that could download a package', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const commands = readme
      .split('\n')
      .filter((line) => /npx (?!--no-install )request-token/.test(line));
    // The one line allowed explains why the plain form is dangerous.
    expect(commands).toEqual([expect.stringContaining('would download')]);
  });

  describe('npm pack --workspace client-cli', () => {
    it('packs the bin launcher and the built CLI, for a global install', async () => {
      const result = await run(
        'npm',
        ['pack', '--dry-run', '--json', '--workspace', 'client-cli'],
        REPO_ROOT,
      );
      expect(result.exitCode).toBe(0);
      const [packed] = JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>;
      const paths = packed?.files.map((file) => file.path) ?? [];
      expect(paths).toEqual(
        expect.arrayContaining(['bin/request-token.js', 'dist/cli.js', 'package.json']),
      );
    });
  });
});
