// The Lua scripts of the Redis moderation store (redis-store.ts): each runs atomically in
// Redis, so that what it reads and what it writes are one step for every instance.

/**
 * Takes or renews a seat. KEYS: presence hash (identity -> "1:<ms>" present, "0:<ms>"
 * gone), holds sorted set (identity by expiry), the set of rooms with holds. ARGV: identity,
 * cap (-1: none), hold ms, refuse (1: an identity present is refused), now ms, the room.
 * Answers {outcome, seats}.
 */
export const CLAIM_SEAT = `
local identity, cap, holdMs, refuse, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local presence = redis.call('HGETALL', KEYS[1])
local present, isPresent = {}, false
for i = 1, #presence, 2 do
  if string.sub(presence[i + 1], 1, 1) == '1' then
    present[presence[i]] = true
    if presence[i] == identity then isPresent = true end
  end
end
local seats, isHeld = 0, false
for _ in pairs(present) do seats = seats + 1 end
for _, held in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if not present[held] then
    seats = seats + 1
    if held == identity then isHeld = true end
  end
end
if isPresent then
  if refuse == '1' then return {'identity-in-use', seats} end
  return {'granted', seats}
end
if isHeld then
  redis.call('ZADD', KEYS[2], now + holdMs, identity)
  return {'granted', seats}
end
if cap >= 0 and seats >= cap then return {'full', seats} end
redis.call('ZADD', KEYS[2], now + holdMs, identity)
redis.call('PEXPIRE', KEYS[2], holdMs * 2)
redis.call('SADD', KEYS[3], ARGV[6])
return {'granted', seats + 1}
`;

/**
 * Records a join ("1") or a leave ("0"), unless an event at least as new was recorded, or
 * the room finished after it. KEYS: presence hash, holds, heard, finished. ARGV: identity,
 * "1" or "0", at ms.
 */
export const PRESENCE_EVENT = `
local identity, state, at = ARGV[1], ARGV[2], tonumber(ARGV[3])
local finished = tonumber(redis.call('GET', KEYS[4]) or '-1')
if at < finished then return 0 end
local current = redis.call('HGET', KEYS[1], identity)
if current and tonumber(string.sub(current, 3)) > at then return 0 end
redis.call('HSET', KEYS[1], identity, state .. ':' .. at)
if state == '1' then redis.call('ZREM', KEYS[2], identity) end
local heard = tonumber(redis.call('GET', KEYS[3]) or '0')
if at > heard then redis.call('SET', KEYS[3], at) end
return 1
`;

/**
 * Replaces presence with LiveKit's list taken at `at`; an identity's webhook newer than
 * the list wins, and a list older than the room's end changes nothing. KEYS: presence,
 * holds, heard, finished. ARGV: at ms, then the identities present.
 */
export const REPLACE_PRESENCE = `
local at = tonumber(ARGV[1])
local finished = tonumber(redis.call('GET', KEYS[4]) or '-1')
if at < finished then return 0 end
local listed = {}
for i = 2, #ARGV do listed[ARGV[i]] = true end
local presence = redis.call('HGETALL', KEYS[1])
local known = {}
for i = 1, #presence, 2 do
  local identity, last = presence[i], tonumber(string.sub(presence[i + 1], 3))
  known[identity] = true
  if last <= at then
    if listed[identity] then
      redis.call('HSET', KEYS[1], identity, '1:' .. at)
      redis.call('ZREM', KEYS[2], identity)
    else
      redis.call('HSET', KEYS[1], identity, '0:' .. at)
    end
  end
end
for identity in pairs(listed) do
  if not known[identity] then
    redis.call('HSET', KEYS[1], identity, '1:' .. at)
    redis.call('ZREM', KEYS[2], identity)
  end
end
local heard = tonumber(redis.call('GET', KEYS[3]) or '0')
if at > heard then redis.call('SET', KEYS[3], at) end
return 1
`;

/**
 * Appends an audit entry in one round trip: its id from a counter, stored as `<id>|<json>`
 * in the room's sorted set by id. KEYS: counter, the room's set, the set of rooms. ARGV:
 * the entry as JSON, the room ('' for every room).
 */
export const APPEND_AUDIT = `
local id = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], id, id .. '|' .. ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
return id
`;
