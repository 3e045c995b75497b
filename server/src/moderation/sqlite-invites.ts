// Invites and the lobby in the SQLite moderation file (the `invites` and `lobby` tables of
// sqlite-schema.ts), beside the rest of the store in sqlite-store.ts. What must be decided
// once across processes sharing the file is one statement or one IMMEDIATE transaction: a
// use of an invite, a guest's admission, the collection of its connection details.
import type Database from 'better-sqlite3';
import type { InviteAndLobbyStore, Invite, InviteRedemption, LobbyEntry } from './store';

interface InviteRow {
  id: string;
  code_hash: string;
  room: string;
  role: string;
  identity: string | null;
  name: string | null;
  max_uses: number;
  uses: number;
  waiting_room: number;
  created_at_ms: number;
  expires_at_ms: number;
  created_by: string;
}

interface LobbyRow {
  id: string;
  room: string;
  invite_id: string;
  poll_token_hash: string;
  identity: string;
  name: string | null;
  role: string;
  status: LobbyEntry['status'];
  collected: number;
  created_at_ms: number;
  expires_at_ms: number;
  decided_at_ms: number | null;
  decided_by: string | null;
}

function inviteOf(row: InviteRow): Invite {
  return {
    id: row.id,
    codeHash: row.code_hash,
    room: row.room,
    role: row.role,
    identity: row.identity,
    name: row.name,
    maxUses: row.max_uses,
    uses: row.uses,
    waitingRoom: row.waiting_room === 1,
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms,
    createdBy: row.created_by,
  };
}

function lobbyEntryOf(row: LobbyRow): LobbyEntry {
  return {
    id: row.id,
    room: row.room,
    inviteId: row.invite_id,
    pollTokenHash: row.poll_token_hash,
    identity: row.identity,
    name: row.name,
    role: row.role,
    status: row.status,
    collected: row.collected === 1,
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms,
    decidedAtMs: row.decided_at_ms,
    decidedBy: row.decided_by,
  };
}

/** The invite and lobby methods over `db`, and what prune forgets of them. */
export interface SqliteInvites {
  methods: InviteAndLobbyStore;
  /**
   * Forgets invites and lobby entries that expired before `cutoffMs`. Synchronous, to run
   * inside the store's prune transaction.
   */
  pruneExpiredBefore(cutoffMs: number): void;
}

/**
 * Prepares the statements on `db`; `run` is the store's wrapper that turns the file's
 * failures into ModerationStoreUnavailableError and refuses calls once closed.
 */
export function sqliteInvites(
  db: Database.Database,
  run: <T>(work: () => T) => Promise<T>,
): SqliteInvites {
  const statements = {
    createInvite: db.prepare(
      `INSERT INTO invites (id, code_hash, room, role, identity, name, max_uses, uses,
         waiting_room, created_at_ms, expires_at_ms, created_by)
       VALUES (@id, @codeHash, @room, @role, @identity, @name, @maxUses, @uses,
         @waitingRoom, @createdAtMs, @expiresAtMs, @createdBy)`,
    ),
    inviteById: db.prepare<[string], InviteRow>('SELECT * FROM invites WHERE id = ?'),
    inviteByCode: db.prepare<[string], InviteRow>('SELECT * FROM invites WHERE code_hash = ?'),
    listInvites: db.prepare<[string], InviteRow>(
      'SELECT * FROM invites WHERE room = ? ORDER BY created_at_ms, id',
    ),
    revokeInvite: db.prepare<[string], InviteRow>('DELETE FROM invites WHERE id = ? RETURNING *'),
    countUse: db.prepare('UPDATE invites SET uses = uses + 1 WHERE id = ?'),
    returnUse: db.prepare('UPDATE invites SET uses = uses - 1 WHERE id = ? AND uses > 0'),
    addLobbyEntry: db.prepare(
      `INSERT INTO lobby (id, room, invite_id, poll_token_hash, identity, name, role, status,
         collected, created_at_ms, expires_at_ms, decided_at_ms, decided_by)
       VALUES (@id, @room, @inviteId, @pollTokenHash, @identity, @name, @role, @status,
         @collected, @createdAtMs, @expiresAtMs, @decidedAtMs, @decidedBy)`,
    ),
    lobbyEntry: db.prepare<[string], LobbyRow>('SELECT * FROM lobby WHERE id = ?'),
    listLobby: db.prepare<[string, number], LobbyRow>(
      `SELECT * FROM lobby WHERE room = ? AND status = 'waiting' AND expires_at_ms > ?
       ORDER BY created_at_ms, id`,
    ),
    // One statement: the check and the change are one step for every connection.
    decide: db.prepare<
      { id: string; room: string; decision: string; decidedBy: string; nowMs: number },
      LobbyRow
    >(
      `UPDATE lobby SET status = @decision, decided_at_ms = @nowMs, decided_by = @decidedBy
       WHERE id = @id AND room = @room AND status = 'waiting' AND expires_at_ms > @nowMs
       RETURNING *`,
    ),
    collect: db.prepare(
      `UPDATE lobby SET collected = 1 WHERE id = ? AND status = 'admitted' AND collected = 0`,
    ),
    uncollect: db.prepare(
      `UPDATE lobby SET collected = 0 WHERE id = ? AND status = 'admitted' AND collected = 1`,
    ),
    pruneInvites: db.prepare('DELETE FROM invites WHERE expires_at_ms < ?'),
    pruneLobby: db.prepare('DELETE FROM lobby WHERE expires_at_ms < ?'),
  };

  // Run IMMEDIATE: the write lock is taken before the uses are read, so that two processes
  // can never both count the last use.
  const redeem = db.transaction((codeHash: string, nowMs: number): InviteRedemption => {
    const row = statements.inviteByCode.get(codeHash);
    if (row === undefined) return { outcome: 'not-found' };
    if (nowMs >= row.expires_at_ms) return { outcome: 'expired' };
    if (row.uses >= row.max_uses) return { outcome: 'used-up' };
    statements.countUse.run(row.id);
    return { outcome: 'redeemed', invite: inviteOf({ ...row, uses: row.uses + 1 }) };
  });

  return {
    methods: {
      createInvite: (invite) =>
        run(() => {
          statements.createInvite.run({ ...invite, waitingRoom: invite.waitingRoom ? 1 : 0 });
        }),
      inviteById: (id) =>
        run(() => {
          const row = statements.inviteById.get(id);
          return row && inviteOf(row);
        }),
      listInvites: (room) => run(() => statements.listInvites.all(room).map(inviteOf)),
      revokeInvite: (id) =>
        run(() => {
          const row = statements.revokeInvite.get(id);
          return row && inviteOf(row);
        }),
      // A code no invite has (a typo, a guess) is told apart by a plain read, without the
      // write lock that every process's redemptions wait on.
      redeemInvite: (codeHash, nowMs) =>
        run(() =>
          statements.inviteByCode.get(codeHash) === undefined
            ? { outcome: 'not-found' }
            : redeem.immediate(codeHash, nowMs),
        ),
      returnInviteUse: (id) =>
        run(() => {
          statements.returnUse.run(id);
        }),

      addLobbyEntry: (entry) =>
        run(() => {
          statements.addLobbyEntry.run({ ...entry, collected: entry.collected ? 1 : 0 });
        }),
      lobbyEntry: (id) =>
        run(() => {
          const row = statements.lobbyEntry.get(id);
          return row && lobbyEntryOf(row);
        }),
      listLobby: (room, nowMs) =>
        run(() => statements.listLobby.all(room, nowMs).map(lobbyEntryOf)),
      decideLobbyEntry: (id, room, decision, decidedBy, nowMs) =>
        run(() => {
          const row = statements.decide.get({ id, room, decision, decidedBy, nowMs });
          return row && lobbyEntryOf(row);
        }),
      collectAdmission: (id) => run(() => statements.collect.run(id).changes === 1),
      returnAdmission: (id) =>
        run(() => {
          statements.uncollect.run(id);
        }),
    },
    pruneExpiredBefore: (cutoffMs) => {
      statements.pruneInvites.run(cutoffMs);
      statements.pruneLobby.run(cutoffMs);
    },
  };
}
