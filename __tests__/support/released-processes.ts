// Node processes started apart and released together: each child script prints `ready`, waits
// for a line on stdin, does its work and prints one JSON document. Starting a process takes
// tens of milliseconds, so a race between processes (instances, workers) needs this to happen
// at all. A child that exits non-zero, or runs over PROCESS_TIMEOUT_MS, fails the whole run.
import { spawn } from 'node:child_process';
import { PROCESS_TIMEOUT_MS, REPO_ROOT, cleanEnv } from './processes';

/**
 * Runs `node -e script` once per entry of `argsPerChild` (its arguments), waits until every
 * child is ready, releases them at once, and answers each child's JSON once all have exited.
 */
export async function runReleasedTogether<Answer>(
  script: string,
  argsPerChild: string[][],
): Promise<Answer[]> {
  const children = argsPerChild.map((args) => {
    const child = spawn(process.execPath, ['-e', script, ...args], {
      cwd: REPO_ROOT,
      env: cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ready = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.startsWith('ready\n')) {
          child.stdout.off('data', check);
          resolve();
        }
      };
      child.stdout.on('data', check);
      child.once('exit', (code) => reject(new Error(`a child exited ${code}: ${stderr}`)));
    });
    const answered = new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`a child ran over ${PROCESS_TIMEOUT_MS} ms: ${stderr}`));
      }, PROCESS_TIMEOUT_MS);
      child.once('close', (code) => {
        clearTimeout(timer);
        if (code !== 0) reject(new Error(`a child exited ${code}: ${stderr}`));
        else resolve(JSON.parse(stdout.slice('ready\n'.length)) as Answer);
      });
    });
    // Whichever fails first fails the run; the other rejection must not go unhandled.
    answered.catch(() => undefined);
    return { child, ready, answered };
  });
  try {
    await Promise.all(children.map((each) => each.ready));
    for (const { child } of children) child.stdin.end('go\n');
    return await Promise.all(children.map((each) => each.answered));
  } finally {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}
