import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, REPO_ROOT, runProcess, type ProcessResult } from '../support/processes';

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
    let result: ProcessResult;

    beforeAll(async () => {
      outside = mkdtempSync(join(tmpdir(), 'request-token-outside-'));
      result = await runProcess(
        'npx',
        ['--no-install', 'request-token', '--help'],
        {
          cwd: outside,
          env: cleanEnv({
            HOME: outside,
            npm_config_cache: join(outside, 'cache'),
            // An "update available" notice is not npm's answer to the command.
            npm_config_update_notifier: 'false',
          }),
        },
        60_000,
      );
    }, 70_000);

    afterAll(() => {
      rmSync(outside, { recursive: true, force: true });
    });

    /** The first line npm printed, as a user would search for it. */
    function firstLine(): string {
      const line = result.stderr.split('\n').find((text) => text.trim() !== '');
      if (line === undefined)
        throw new Error(`npx printed nothing on stderr: ${JSON.stringify(result)}`);
      return line.trim();
    }

    it('fails without downloading anything', () => {
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).not.toContain('Usage: request-token');
      // npx installs what it runs from the registry under its cache's _npx.
      expect(existsSync(join(outside, 'cache', '_npx'))).toBe(false);
    });

    // Quoted there so that a reader can find npm's words; this run keeps the quote current.
    it('prints a first line that docs/troubleshooting.md quotes in its entry for it', () => {
      const troubleshooting = readFileSync(join(REPO_ROOT, 'docs', 'troubleshooting.md'), 'utf8');
      const entries = troubleshooting
        .split('\n')
        .filter(
          (line) => line.startsWith('|') && line.includes('`npx --no-install request-token`'),
        );

      expect(entries).toHaveLength(1);
      expect(entries[0]).toContain(`\`${firstLine()}\``);
    });

    it('prints a first line that docs/cli.md quotes', () => {
      const cliDocs = readFileSync(join(REPO_ROOT, 'docs', 'cli.md'), 'utf8');

      expect(cliDocs).toContain(firstLine());
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
