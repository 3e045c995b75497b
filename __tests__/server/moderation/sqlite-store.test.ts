// The SQLite store on a real file in a fresh folder per test: the contract, a restart, a
// DATA_DIR it cannot use, and a file another connection keeps locked.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_FILE_NAME } from '../../../server/src/moderation/sqlite-file';
import { openSqliteModerationStore } from '../../../server/src/moderation/sqlite-store';
import {
  ModerationStoreUnavailableError,
  type ModerationStore,
} from '../../../server/src/moderation/store';
import { SCHEMA_VERSION } from '../../../server/src/moderation/sqlite-schema';
import { describeModerationStoreContract } from './store.contract';

const T0 = 1_700_000_000_000;
const folders: string[] = [];

function freshFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'moderation-sqlite-'));
  folders.push(folder);
  return folder;
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describeModerationStoreContract('SQLite', async () => openSqliteModerationStore(freshFolder()));

describe('openSqliteModerationStore', () => {
  it('creates DATA_DIR and moderation.db in WAL mode with the schema version', async () => {
    const dataDir = join(freshFolder(), 'nested', 'data');
    const store = openSqliteModerationStore(dataDir);
    expect(store.kind).toBe('sqlite');
    await store.close();
    expect(readdirSync(dataDir)).toContain(SQLITE_FILE_NAME);
    const db = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('keeps bans, caps and the audit trail across a restart', async () => {
    const dataDir = freshFolder();
    const first = openSqliteModerationStore(dataDir);
    await first.addBan({
      id: 'b1',
      identity: 'mallory',
      room: null,
      reason: 'spam',
      createdAtMs: T0,
      expiresAtMs: null,
      createdBy: 'api-key:ops',
    });
    await first.setRoomLimit('lobby', 4);
    await first.appendAudit({
      atMs: T0,
      event: 'ban_added',
      room: 'lobby',
      identity: 'mallory',
      actor: 'api-key:ops',
      requestId: null,
      details: {},
    });
    await first.close();

    const second = openSqliteModerationStore(dataDir);
    try {
      expect((await second.banFor('mallory', 'lobby', T0))?.id).toBe('b1');
      expect(await second.roomLimit('lobby')).toBe(4);
      expect((await second.listAudit({ room: 'lobby', limit: 10 })).entries).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('brings a version 1 file to version 2, keeping its rows, with invites and a lobby', async () => {
    const dataDir = freshFolder();
    await openSqliteModerationStore(dataDir).close();
    // A file as version 1 left it: version 2 only added the invites and lobby tables.
    const db = new Database(join(dataDir, SQLITE_FILE_NAME));
    db.exec('DROP TABLE invites; DROP TABLE lobby');
    db.prepare(
      `INSERT INTO bans (id, identity, room, reason, created_at_ms, expires_at_ms, created_by)
       VALUES ('b1', 'mallory', NULL, NULL, ?, NULL, 'api-key:ops')`,
    ).run(T0);
    db.pragma('user_version = 1');
    db.close();

    const store = openSqliteModerationStore(dataDir);
    try {
      expect((await store.banFor('mallory', 'lab', T0))?.id).toBe('b1');
      await store.createInvite({
        id: 'i1',
        codeHash: 'ab'.repeat(32),
        room: 'lab',
        role: 'participant',
        identity: null,
        name: null,
        maxUses: 1,
        uses: 0,
        waitingRoom: true,
        createdAtMs: T0,
        expiresAtMs: T0 + 1_000,
        createdBy: 'api-key:ops',
      });
      expect((await store.redeemInvite('ab'.repeat(32), T0)).outcome).toBe('redeemed');
      expect(await store.listLobby('lab', T0)).toEqual([]);
    } finally {
      await store.close();
    }
    const after = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
    try {
      expect(after.pragma('user_version', { simple: true })).toBe(2);
    } finally {
      after.close();
    }
  });

  it('refuses a file written by a newer schema, naming DATA_DIR', () => {
    const dataDir = freshFolder();
    const db = new Database(join(dataDir, SQLITE_FILE_NAME));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openSqliteModerationStore(dataDir)).toThrow(
      new RegExp(`^DATA_DIR ${dataDir} cannot hold the moderation state: .*newer`),
    );
  });

  describe('with a DATA_DIR it cannot use', () => {
    // Below a regular file: no folder can be made there, for root too (chmod does not stop
    // root, and the tests may run as root).
    it.each([
      ['below a regular file', (file: string) => join(file, 'sub')],
      ['that is a regular file', (file: string) => file],
    ])('fails at once with one line naming DATA_DIR and why, %s', (_, dataDirOf) => {
      const file = join(freshFolder(), 'not-a-folder');
      writeFileSync(file, 'x');
      const dataDir = dataDirOf(file);
      let thrown: unknown;
      try {
        openSqliteModerationStore(dataDir);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Error);
      const message = (thrown as Error).message;
      expect(message).toMatch(
        new RegExp(`^DATA_DIR ${dataDir} cannot hold the moderation state: `),
      );
      expect(message).toMatch(/ENOTDIR|EEXIST|not a directory|file already exists/i);
      expect(message).not.toContain('\n');
    });

    it('fails with SQLITE_BUSY after the busy timeout when another connection keeps a new file locked', () => {
      const dataDir = freshFolder();
      // A file still in rollback mode, held exclusively: the switch to WAL can never happen.
      const other = new Database(join(dataDir, SQLITE_FILE_NAME));
      try {
        other.exec('BEGIN EXCLUSIVE');
        const startedAt = Date.now();
        expect(() => openSqliteModerationStore(dataDir, { busyTimeoutMs: 100 })).toThrow(
          /^DATA_DIR .* cannot hold the moderation state: .*SQLITE_BUSY/,
        );
        // It waited the busy timeout for the lock, then gave up rather than trying forever.
        expect(Date.now() - startedAt).toBeGreaterThanOrEqual(100);
      } finally {
        other.close();
      }
    });

    it('fails at once when moderation.db is not a database', () => {
      const dataDir = freshFolder();
      writeFileSync(join(dataDir, SQLITE_FILE_NAME), 'not sqlite at all, '.repeat(100));
      expect(() => openSqliteModerationStore(dataDir)).toThrow(
        /^DATA_DIR .* cannot hold the moderation state: .*(SQLITE_NOTADB|not a database)/,
      );
    });
  });

  describe('when another connection holds the write lock past busy_timeout', () => {
    let store: ModerationStore;
    let other: Database.Database;

    beforeEach(() => {
      const dataDir = freshFolder();
      // A small wait: the lock is held until the test lets it go, so the outcome does not
      // depend on how long the wait is.
      store = openSqliteModerationStore(dataDir, { busyTimeoutMs: 20 });
      other = new Database(join(dataDir, SQLITE_FILE_NAME));
      other.exec('BEGIN EXCLUSIVE');
    });

    afterEach(async () => {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await store.close();
    });

    it('rejects writes with ModerationStoreUnavailableError naming DATA_DIR', async () => {
      const claim = store.claimSeat({
        room: 'stage',
        identity: 'a',
        maxParticipants: 1,
        holdMs: 1_000,
        duplicateIdentity: 'replace',
        nowMs: T0,
      });
      await expect(claim).rejects.toBeInstanceOf(ModerationStoreUnavailableError);
      await expect(claim).rejects.toThrow(/DATA_DIR .*SQLITE_BUSY|DATA_DIR .*locked/);
      await expect(store.setRoomLimit('stage', 2)).rejects.toBeInstanceOf(
        ModerationStoreUnavailableError,
      );
    });

    it('answers again once the lock is let go, having granted nothing meanwhile', async () => {
      const request = {
        room: 'stage',
        identity: 'a',
        maxParticipants: 1,
        holdMs: 1_000,
        duplicateIdentity: 'replace' as const,
        nowMs: T0,
      };
      await expect(store.claimSeat(request)).rejects.toBeInstanceOf(
        ModerationStoreUnavailableError,
      );
      other.exec('ROLLBACK');
      expect(await store.claimSeat(request)).toEqual({ outcome: 'granted', seats: 1 });
    });
  });

  it('answers an audit cursor it did not give with a RangeError', async () => {
    const store = openSqliteModerationStore(freshFolder());
    try {
      await expect(store.listAudit({ room: 'lobby', limit: 1, after: 'nope' })).rejects.toThrow(
        RangeError,
      );
    } finally {
      await store.close();
    }
  });
});
