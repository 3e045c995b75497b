// The Lua scripts of invites and the lobby in Redis (redis-invites.ts): each runs atomically,
// so that a use, a decision or a collection is decided once for every instance. Invites and
// lobby entries are hashes of strings; numbers are compared with tonumber, which holds epoch
// milliseconds exactly (Lua numbers are doubles).

/**
 * Redeems an invite by its code: one use, unless it is unknown, expired (now at or past its
 * expiry) or used up, checked in that order. KEYS: the code's key (-> the invite's id).
 * ARGV: the prefix of invite keys, now ms. Answers {'redeemed', the invite's HGETALL after
 * the use}, or {'not-found'}, {'expired'}, {'used-up'}.
 *
 * The invite's key is read from the code's key, so it cannot be declared in KEYS: one round
 * trip for a redemption was worth it. Fine on one Redis (this store's other scripts already
 * touch keys of several Cluster slots, so Redis Cluster is not supported anyway).
 */
export const REDEEM_INVITE = `
local id = redis.call('GET', KEYS[1])
if not id then return {'not-found'} end
local inviteKey = ARGV[1] .. id
local invite = redis.call('HMGET', inviteKey, 'expiresAtMs', 'uses', 'maxUses')
if not invite[1] then return {'not-found'} end
if tonumber(ARGV[2]) >= tonumber(invite[1]) then return {'expired'} end
if tonumber(invite[2]) >= tonumber(invite[3]) then return {'used-up'} end
redis.call('HINCRBY', inviteKey, 'uses', 1)
return {'redeemed', redis.call('HGETALL', inviteKey)}
`;

/**
 * Gives back one use of an invite, never below 0, and never recreates a revoked one.
 * KEYS: the invite. Answers 1 when a use was given back, else 0.
 */
export const RETURN_INVITE_USE = `
local uses = tonumber(redis.call('HGET', KEYS[1], 'uses') or '0')
if uses <= 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'uses', -1)
return 1
`;

/**
 * Admits or denies a guest still waiting in that room at now: anything else changes nothing.
 * A decided guest leaves the room's list of those waiting. KEYS: the entry, the room's lobby
 * (sorted set of entry ids). ARGV: the room, 'admitted' or 'denied', who decides, now ms.
 * Answers the entry's HGETALL after the decision, or nil.
 */
export const DECIDE_LOBBY_ENTRY = `
local entry = redis.call('HMGET', KEYS[1], 'room', 'status', 'expiresAtMs', 'id')
if entry[1] ~= ARGV[1] or entry[2] ~= 'waiting' then return nil end
if tonumber(entry[3]) <= tonumber(ARGV[4]) then return nil end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'decidedAtMs', ARGV[4], 'decidedBy', ARGV[3])
redis.call('ZREM', KEYS[2], entry[4])
return redis.call('HGETALL', KEYS[1])
`;

/**
 * Sets an admitted guest's `collected` from one value to the other ('0' to '1' collects,
 * '1' to '0' gives back). KEYS: the entry. ARGV: from, to. Answers 1 for the call that
 * changed it, 0 otherwise (not admitted, unknown, or already so).
 */
export const SWITCH_COLLECTED = `
local entry = redis.call('HMGET', KEYS[1], 'status', 'collected')
if entry[1] ~= 'admitted' or entry[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'collected', ARGV[2])
return 1
`;
