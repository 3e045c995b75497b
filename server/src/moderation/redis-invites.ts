// Invites and the lobby in Redis, beside the rest of the store in redis-store.ts and under
// the same prefix (REDIS_KEY_PREFIX + "mod:"). A use of an invite, a guest's admission and
// the collection of its connection details are each one Lua script (redis-invite-scripts.ts),
// so that instances racing for them get one answer each and one of them the prize.
//
// Keys, after the prefix:
//   invite:<id>            hash: the invite, every field a string (null fields absent)
//   invite-code:<hash>     string: the id of the invite whose code hashes to <hash>
//   invites:<room>         sorted set: the room's invite ids by creation time
//   invite-expiries        sorted set: every invite id by expiry, for prune
//   lobby-entry:<id>       hash: the lobby entry, as invites are
//   lobby:<room>           sorted set: the ids of the room's guests waiting, by arrival
//   lobby-expiries         sorted set: every lobby entry id by expiry, for prune
// Each prefix ends where no other begins ("invite:" and "invite-code:"), so that no id, code
// hash or room name can make one key stand for another.
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import type { InviteAndLobbyStore, Invite, InviteRedemption, LobbyEntry } from './store';
import {
  DECIDE_LOBBY_ENTRY,
  REDEEM_INVITE,
  RETURN_INVITE_USE,
  SWITCH_COLLECTED,
} from './redis-invite-scripts';

type InviteRedis = Redis & {
  redeemInvite(
    codeKey: string,
    invitePrefix: string,
    nowMs: number,
  ): Promise<[InviteRedemption['outcome'], string[]?]>;
  returnInviteUse(inviteKey: string): Promise<number>;
  decideLobbyEntry(
    entryKey: string,
    lobbyKey: string,
    room: string,
    decision: string,
    decidedBy: string,
    nowMs: number,
  ): Promise<string[] | null>;
  switchCollected(entryKey: string, from: '0' | '1', to: '0' | '1'): Promise<number>;
};

/** A hash as Lua's HGETALL answers it ([field, value, ...]), as ioredis's hgetall does. */
function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) {
    fields[flat[index] as string] = flat[index + 1] as string;
  }
  return fields;
}

/** Null fields are left out of the hash: HSET has no null, and '' is a name. */
function withoutNulls(fields: Record<string, string | number | null>): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (value !== null) present[field] = String(value);
  }
  return present;
}

function inviteFields(invite: Invite): Record<string, string> {
  return withoutNulls({ ...invite, waitingRoom: invite.waitingRoom ? '1' : '0' });
}

/** The invite a hash holds; undefined for an empty hash (no such key). */
function inviteOf(fields: Record<string, string>): Invite | undefined {
  if (fields.id === undefined) return undefined;
  return {
    id: fields.id,
    codeHash: fields.codeHash ?? '',
    room: fields.room ?? '',
    role: fields.role ?? '',
    identity: fields.identity ?? null,
    name: fields.name ?? null,
    maxUses: Number(fields.maxUses),
    uses: Number(fields.uses),
    waitingRoom: fields.waitingRoom === '1',
    createdAtMs: Number(fields.createdAtMs),
    expiresAtMs: Number(fields.expiresAtMs),
    createdBy: fields.createdBy ?? '',
  };
}

function lobbyEntryFields(entry: LobbyEntry): Record<string, string> {
  return withoutNulls({ ...entry, collected: entry.collected ? '1' : '0' });
}

/** The lobby entry a hash holds; undefined for an empty hash (no such key). */
function lobbyEntryOf(fields: Record<string, string>): LobbyEntry | undefined {
  if (fields.id === undefined) return undefined;
  return {
    id: fields.id,
    room: fields.room ?? '',
    inviteId: fields.inviteId ?? '',
    pollTokenHash: fields.pollTokenHash ?? '',
    identity: fields.identity ?? '',
    name: fields.name ?? null,
    role: fields.role ?? '',
    status: (fields.status ?? 'waiting') as LobbyEntry['status'],
    collected: fields.collected === '1',
    createdAtMs: Number(fields.createdAtMs),
    expiresAtMs: Number(fields.expiresAtMs),
    decidedAtMs: fields.decidedAtMs === undefined ? null : Number(fields.decidedAtMs),
    decidedBy: fields.decidedBy ?? null,
  };
}

/** Runs a MULTI, rejecting with the first command's error (EXEC answers them, not throws). */
async function execOrThrow(transaction: ChainableCommander): Promise<unknown[]> {
  const replies = (await transaction.exec()) ?? [];
  for (const [error] of replies) if (error) throw error;
  return replies.map(([, reply]) => reply);
}

/** The invite and lobby methods over `client`, and what prune forgets of them. */
export interface RedisInvites {
  methods: InviteAndLobbyStore;
  /** Forgets invites and lobby entries that expired before `cutoffMs`. */
  pruneExpiredBefore(cutoffMs: number): Promise<void>;
}

/**
 * The methods under `modPrefix` (REDIS_KEY_PREFIX + "mod:"); `run` is the store's wrapper
 * that turns Redis's failures into ModerationStoreUnavailableError and refuses calls once
 * closed.
 */
export function redisInvites(
  client: Redis,
  modPrefix: string,
  run: <T>(work: () => Promise<T>) => Promise<T>,
): RedisInvites {
  const redis = client as InviteRedis;
  redis.defineCommand('redeemInvite', { numberOfKeys: 1, lua: REDEEM_INVITE });
  redis.defineCommand('returnInviteUse', { numberOfKeys: 1, lua: RETURN_INVITE_USE });
  redis.defineCommand('decideLobbyEntry', { numberOfKeys: 2, lua: DECIDE_LOBBY_ENTRY });
  redis.defineCommand('switchCollected', { numberOfKeys: 1, lua: SWITCH_COLLECTED });
  const invitePrefix = `${modPrefix}invite:`;
  const key = {
    invite: (id: string) => `${invitePrefix}${id}`,
    inviteCode: (codeHash: string) => `${modPrefix}invite-code:${codeHash}`,
    invitesOf: (room: string) => `${modPrefix}invites:${room}`,
    inviteExpiries: `${modPrefix}invite-expiries`,
    lobbyEntry: (id: string) => `${modPrefix}lobby-entry:${id}`,
    lobbyOf: (room: string) => `${modPrefix}lobby:${room}`,
    lobbyExpiries: `${modPrefix}lobby-expiries`,
  };

  const invitesByIds = async (ids: string[]): Promise<Invite[]> =>
    (await Promise.all(ids.map((id) => redis.hgetall(key.invite(id))))).flatMap(
      (fields) => inviteOf(fields) ?? [],
    );
  const lobbyEntriesByIds = async (ids: string[]): Promise<LobbyEntry[]> =>
    (await Promise.all(ids.map((id) => redis.hgetall(key.lobbyEntry(id))))).flatMap(
      (fields) => lobbyEntryOf(fields) ?? [],
    );

  const methods: InviteAndLobbyStore = {
    createInvite: (invite) =>
      run(async () => {
        await execOrThrow(
          redis
            .multi()
            .hset(key.invite(invite.id), inviteFields(invite))
            .set(key.inviteCode(invite.codeHash), invite.id)
            .zadd(key.invitesOf(invite.room), invite.createdAtMs, invite.id)
            .zadd(key.inviteExpiries, invite.expiresAtMs, invite.id),
        );
      }),
    inviteById: (id) => run(async () => inviteOf(await redis.hgetall(key.invite(id)))),
    // Equal creation times come in id order (a sorted set's ties), as in SQLite.
    listInvites: (room) =>
      run(async () => invitesByIds(await redis.zrange(key.invitesOf(room), 0, -1))),
    revokeInvite: (id) =>
      run(async () => {
        const invite = inviteOf(await redis.hgetall(key.invite(id)));
        if (invite === undefined) return undefined;
        const [deleted] = await execOrThrow(
          redis
            .multi()
            .del(key.invite(id))
            .del(key.inviteCode(invite.codeHash))
            .zrem(key.invitesOf(invite.room), id)
            .zrem(key.inviteExpiries, id),
        );
        // Revoked meanwhile by another instance: not this call's to report.
        return deleted === 1 ? invite : undefined;
      }),
    redeemInvite: (codeHash, nowMs) =>
      run(async (): Promise<InviteRedemption> => {
        const [outcome, fields] = await redis.redeemInvite(
          key.inviteCode(codeHash),
          invitePrefix,
          nowMs,
        );
        if (outcome !== 'redeemed') return { outcome };
        const invite = inviteOf(fieldsOf(fields ?? []));
        if (invite === undefined) throw new Error('REDEEM_INVITE answered no invite');
        return { outcome, invite };
      }),
    returnInviteUse: (id) =>
      run(async () => {
        await redis.returnInviteUse(key.invite(id));
      }),

    addLobbyEntry: (entry) =>
      run(async () => {
        const transaction = redis
          .multi()
          .hset(key.lobbyEntry(entry.id), lobbyEntryFields(entry))
          .zadd(key.lobbyExpiries, entry.expiresAtMs, entry.id);
        if (entry.status === 'waiting') {
          transaction.zadd(key.lobbyOf(entry.room), entry.createdAtMs, entry.id);
        }
        await execOrThrow(transaction);
      }),
    lobbyEntry: (id) => run(async () => lobbyEntryOf(await redis.hgetall(key.lobbyEntry(id)))),
    listLobby: (room, nowMs) =>
      run(async () =>
        (await lobbyEntriesByIds(await redis.zrange(key.lobbyOf(room), 0, -1))).filter(
          (entry) => entry.status === 'waiting' && entry.expiresAtMs > nowMs,
        ),
      ),
    decideLobbyEntry: (id, room, decision, decidedBy, nowMs) =>
      run(async () => {
        const fields = await redis.decideLobbyEntry(
          key.lobbyEntry(id),
          key.lobbyOf(room),
          room,
          decision,
          decidedBy,
          nowMs,
        );
        return fields === null ? undefined : lobbyEntryOf(fieldsOf(fields));
      }),
    collectAdmission: (id) =>
      run(async () => (await redis.switchCollected(key.lobbyEntry(id), '0', '1')) === 1),
    returnAdmission: (id) =>
      run(async () => {
        await redis.switchCollected(key.lobbyEntry(id), '1', '0');
      }),
  };

  const pruneInvites = async (cutoffMs: number): Promise<void> => {
    const ids = await redis.zrangebyscore(key.inviteExpiries, '-inf', `(${cutoffMs}`);
    if (ids.length === 0) return;
    const found = await Promise.all(
      ids.map((id) => redis.hmget(key.invite(id), 'room', 'codeHash')),
    );
    const transaction = redis.multi();
    ids.forEach((id, index) => {
      const [room, codeHash] = found[index] ?? [];
      transaction.del(key.invite(id)).zrem(key.inviteExpiries, id);
      if (typeof room === 'string') transaction.zrem(key.invitesOf(room), id);
      if (typeof codeHash === 'string') transaction.del(key.inviteCode(codeHash));
    });
    await execOrThrow(transaction);
  };

  const pruneLobby = async (cutoffMs: number): Promise<void> => {
    const ids = await redis.zrangebyscore(key.lobbyExpiries, '-inf', `(${cutoffMs}`);
    if (ids.length === 0) return;
    const rooms = await Promise.all(ids.map((id) => redis.hget(key.lobbyEntry(id), 'room')));
    const transaction = redis.multi();
    ids.forEach((id, index) => {
      const room = rooms[index];
      transaction.del(key.lobbyEntry(id)).zrem(key.lobbyExpiries, id);
      if (typeof room === 'string') transaction.zrem(key.lobbyOf(room), id);
    });
    await execOrThrow(transaction);
  };

  return {
    methods,
    pruneExpiredBefore: async (cutoffMs) => {
      await pruneInvites(cutoffMs);
      await pruneLobby(cutoffMs);
    },
  };
}
