import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, REPO_ROOT, runProcess, startProcess } from './support/processes';

const SCRIPT = join(REPO_ROOT, 'start_token_server.sh');

describe('start_token_server.sh', () => {
  describe('in an installed and built checkout', () => {
    it('execs the server, which then exits 0 on SIGTERM sent to the script’s pid', async () => {
      const running = startProcess('bash', [SCRIPT], {
        env: cleanEnv({ TOKEN_SERVER_HOST: '127.0.0.1', TOKEN_SERVER_PORT: '0', HOME: tmpdir() }),
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(JSON.stringify(running.output()))), 15000);
        running.child.stdout?.on('data', () => {
          if (running.output().stdout.includes('listening on')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(running.output().stdout)?.[1];
      const health = await fetch(`http://127.0.0.1:${port}/`);
      expect(((await health.json()) as { status: string }).status).toBe('healthy');
      // The script's own pid is the server's after exec, so the signal reaches the server.
      running.child.kill('SIGTERM');
      const result = await running.exited();
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('Received SIGTERM');
    });
  });

  describe('with a Node.js older than 20', () => {
    let fakeBin: string;

    beforeAll(() => {
      fakeBin = mkdtempSync(join(tmpdir(), 'old-node-'));
      const fakeNode = join(fakeBin, 'node');
      writeFileSync(
        fakeNode,
        '#!/bin/sh\ncase "$1" in -p) echo 18;; --version) echo v18.20.0;; esac\n',
      );
      chmodSync(fakeNode, 0o755);
    });

    afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));

    it('exits 1 saying which version it needs', async () => {
      const result = await runProcess('bash', [SCRIPT], {
        env: cleanEnv({ PATH: `${fakeBin}:${process.env.PATH ?? ''}` }),
      });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('Node.js 20 or newer is required; this is v18.20.0.');
    });
  });

  describe('without Node.js on PATH', () => {
    it('exits 1 saying Node.js is required', async () => {
      const result = await runProcess('/bin/bash', [SCRIPT], { env: { PATH: '/nonexistent' } });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        "Node.js 20 or newer is required, and 'node' is not on PATH.",
      );
    });
  });
});
