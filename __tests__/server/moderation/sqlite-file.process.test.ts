// Opening moderation.db from several processes at the same moment, as TOKEN_SERVER_WORKERS
// workers (or instances on one volume) do when they start on a fresh DATA_DIR. The switch
// to WAL needs the exclusive lock, and SQLite answers SQLITE_BUSY at once, without waiting,
// when two connections want it together: one of two processes opening a fresh file together
// died so in 6 of 150 tries before openDatabase tried again.
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../../server/src/moderation/sqlite-schema';
import { freshDataDir } from '../../support/fixtures';
import { REPO_ROOT, requireBuilt } from '../../support/processes';
import { runReleasedTogether } from '../../support/released-processes';

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
function openTogether(dataDir: string, count: number): Promise<Opened[]> {
  return runReleasedTogether<Opened>(
    CHILD,
    Array.from({ length: count }, () => [dataDir]),
  );
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
