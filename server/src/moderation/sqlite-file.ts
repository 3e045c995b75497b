// The moderation file itself: opening DATA_DIR/moderation.db (WAL, the schema, a write at
// start-up so that a read-only folder fails then), and telling SQLite's failures that mean
// "cannot answer now" (locked, full, read-only) from our own mistakes.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_SQL, SCHEMA_VERSION } from './sqlite-schema';

/** The file's name in DATA_DIR. */
export const SQLITE_FILE_NAME = 'moderation.db';

/**
 * How long a write waits for another connection's write lock, in milliseconds. Writes
 * hold it for well under a millisecond; only a stuck process holds it this long.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/**
 * SQLite's result codes (and their extended forms, SQLITE_IOERR_WRITE...) that mean the
 * file cannot answer now: locked, full, read-only, gone, broken. Others (a constraint) are
 * our own mistakes and stay as they are.
 */
const UNAVAILABLE_CODES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_PROTOCOL',
  'SQLITE_NOLFS',
  'SQLITE_PERM',
];

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isUnavailable(error: unknown): boolean {
  const code = sqliteCode(error);
  return (
    code !== undefined &&
    UNAVAILABLE_CODES.some((known) => code === known || code.startsWith(`${known}_`))
  );
}

/** The first line of an error's message, for one-line start-up errors. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = sqliteCode(error);
  const line = message.split('\n')[0] ?? '';
  return code !== undefined && !line.includes(code) ? `${line} (${code})` : line;
}

/** How long to pause between tries of the switch to WAL, in milliseconds. */
const WAL_RETRY_PAUSE_MS = 5;

/**
 * Puts the file in WAL mode, trying again while another connection is doing the same. On a
 * new file the switch needs the exclusive lock, and SQLite answers SQLITE_BUSY at once
 * rather than calling the busy handler when two connections both hold the shared lock and
 * both want it (waiting would deadlock them). Two processes opening a fresh DATA_DIR
 * together hit this in 6 of 150 tries, and a worker of TOKEN_SERVER_WORKERS died at
 * start-up. The tries are bounded by the same busy timeout as a write.
 */
function switchToWal(db: Database.Database, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (sqliteCode(error) !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      // Synchronous like the rest of the opening: it runs once, before the server listens.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, WAL_RETRY_PAUSE_MS);
    }
  }
}

/** Opens the file, or fails with one line naming DATA_DIR and why. */
export function openDatabase(dataDir: string, busyTimeoutMs: number): Database.Database {
  let db: Database.Database | undefined;
  try {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(join(dataDir, SQLITE_FILE_NAME));
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    switchToWal(db, busyTimeoutMs);
    // NORMAL in WAL mode: a power cut may lose the last commits, never corrupt the file.
    db.pragma('synchronous = NORMAL');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `${SQLITE_FILE_NAME} has schema version ${version}, newer than this server's ${SCHEMA_VERSION}`,
      );
    }
    // Always a write, even when the schema is there: a read-only file or folder fails
    // here, at start-up, rather than at the first ban.
    db.transaction(() => {
      db?.exec(SCHEMA_SQL);
      db?.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
    return db;
  } catch (error) {
    db?.close();
    throw new Error(`DATA_DIR ${dataDir} cannot hold the moderation state: ${reasonOf(error)}`, {
      cause: error,
    });
  }
}
