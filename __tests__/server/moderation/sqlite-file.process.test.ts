// Opening moderation.db from several processes at the same moment, as TOKEN_SERVER_WORKERS
// workers (or instances on one volume) do when they start on a fresh DATA_DIR. The switch
// to WAL needs the exclusive lock, and SQLite answers SQLITE_BUSY at once, without waiting,
// when two connections want it together: one of two processes opening a fresh file together
// died so in 6 of 150 tries before openDatabase tried again.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../../server/src/moderation/sqlite-schema';
import { freshDataDir } from '../../support/fixtures';
import { PROCESS_TIMEOUT_MS, REPO_ROOT, cleanEnv, requireBuilt } from '../../support/processes';

const SQLITE_FILE_JS = join(REPO_ROOT, 'server', 'dist', 'moderation', 'sqlite-file.js');

/** The child: says `ready`, opens the file on `go`, prints the mode and version it found. */
const CHILD = `
const { openDatabase } = require(${JSON.stringify(SQLITE_FILE_JS)});
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  const db = openDatabase(process.argv[1], 5000);
  const opened = {
    journalMode: db.pragma('journal_mode', { simple: true }),
    userVersion: db.pragma('user_version', { simple: true }),
  };
  db.close();
  process.stdout.write(JSON.stringify(opened) + '\\n');
});
`;

interface Opened {
  journalMode: string;
  userVersion: number;
}

/** Starts `count` openers on `dataDir`, releases them together, answers what each found. */
async function openTogether(dataDir: string, count: number): Promise<Opened[]> {
  const openers = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['-e', CHILD, dataDir], {
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
      child.once('exit', (code) => reject(new Error(`an opener exited ${code}: ${stderr}`)));
    });
    const closed = new Promise<Opened>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`an opener ran over ${PROCESS_TIMEOUT_MS} ms: ${stderr}`));
      }, PROCESS_TIMEOUT_MS);
      child.once('close', (code) => {
        clearTimeout(timer);
        if (code !== 0) reject(new Error(`an opener exited ${code}: ${stderr}`));
        else resolve(JSON.parse(stdout.slice('ready\n'.length)) as Opened);
      });
    });
    return { child, ready, closed };
  });
  try {
    await Promise.all(openers.map((opener) => opener.ready));
    for (const { child } of openers) child.stdin.end('go\n');
    return await Promise.all(openers.map((opener) => opener.closed));
  } finally {
    for (const { child } of openers) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('openDatabase from several processes at once on a fresh DATA_DIR', () => {
  beforeAll(() => requireBuilt(SQLITE_FILE_JS));

  it('opens in every process, each finding WAL mode and the schema version', async () => {
    // 40 rounds of 4 openers: without the retry, this failed in 8 runs of 8, in 3 s or less.
    for (let round = 0; round < 40; round += 1) {
      const opened = await openTogether(freshDataDir(), 4);
      expect(opened).toEqual(
        Array.from({ length: 4 }, () => ({ journalMode: 'wal', userVersion: SCHEMA_VERSION })),
      );
    }
  }, 120_000);
});
