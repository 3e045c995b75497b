// The Lua scripts of the Redis moderation store (redis-store.ts): each runs atomically in
// Redis, so that what it reads and what it writes are one step for every instance.

/**
 * Takes or renews a seat, as a Lua function the scripts below share. Keys: presence hash
 * (identity -> "1:<ms>" present, "0:<ms>" gone), holds sorted set (identity by expiry), the
 * set of rooms with holds. Then: identity, cap (-1: none), hold ms, refuse ("1": an
 * identity present is refused), now ms, the room. Answers {outcome, seats}.
 */
const CLAIM_SEAT_FUNCTION = `
local function claimSeat(presenceKey, holdsKey, heldRoomsKey, identity, cap, holdMs, refuse, now, room)
  local presence = redis.call('HGETALL', presenceKey)
  local present, isPresent = {}, false
  for i = 1, #presence, 2 do
    if string.sub(presence[i + 1], 1, 1) == '1' then
      present[presence[i]] = true
      if presence[i] == identity then isPresent = true end
    end
  end
  local seats, isHeld = 0, false
  for _ in pairs(present) do seats = seats + 1 end
  -- Holds in force only; the expired are dropped below, when a new hold is added.
  for _, held in ipairs(redis.call('ZRANGEBYSCORE', holdsKey, '(' .. now, '+inf')) do
    if not present[held] then
      seats = seats + 1
      if held == identity then isHeld = true end
    end
  end
  if isPresent then
    if refuse == '1' then return {'identity-in-use', seats} end
    return {'granted', seats}
  end
  -- The key outlives its latest hold: renewals too push its expiry on, or a chain of
  -- them would outlast the key set at the first.
  if isHeld then
    redis.call('ZADD', holdsKey, now + holdMs, identity)
    redis.call('PEXPIRE', holdsKey, holdMs * 2)
    return {'granted', seats}
  end
  if cap >= 0 and seats >= cap then return {'full', seats} end
  redis.call('ZREMRANGEBYSCORE', holdsKey, '-inf', now)
  redis.call('ZADD', holdsKey, now + holdMs, identity)
  redis.call('PEXPIRE', holdsKey, holdMs * 2)
  redis.call('SADD', heldRoomsKey, room)
  return {'granted', seats + 1}
end
`;

/**
 * Takes or renews a seat. KEYS: presence, holds, rooms with holds. ARGV: identity, cap
 * (-1: none), hold ms, refuse, now ms, the room. Answers {outcome, seats}.
 */
export const CLAIM_SEAT = `${CLAIM_SEAT_FUNCTION}
return claimSeat(KEYS[1], KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]), ARGV[6])
`;

/**
 * Admits a token in one round trip: the identity's oldest ban in force for the room (or
 * every room), else the room's cap (its own, or the default) and, when a seat is needed,
 * the seat; then, admitted, its audit entry, stored as APPEND_AUDIT stores one. KEYS: the
 * identity's bans (hash id -> ban JSON), the room's limit, presence, holds, rooms with
 * holds, the audit counter, the rooms with audit entries, the entry's audit set. ARGV:
 * identity, room, default cap (-1: none), takes a seat ("1"), hold ms, refuse ("1"), now ms,
 * the entry's JSON ('' for none), the entry's room. Answers {"banned", ban JSON}, {"none",
 * cap} (no seat needed) or {outcome, cap, seats}.
 */
export const ADMIT = `${CLAIM_SEAT_FUNCTION}
local identity, room, now = ARGV[1], ARGV[2], tonumber(ARGV[7])
local function appendEntry()
  if ARGV[8] == '' then return end
  local id = redis.call('INCR', KEYS[6])
  redis.call('ZADD', KEYS[8], id, id .. '|' .. ARGV[8])
  redis.call('SADD', KEYS[7], ARGV[9])
end
local oldest, oldestText
for _, text in ipairs(redis.call('HVALS', KEYS[1])) do
  local ban = cjson.decode(text)
  if (ban.room == cjson.null or ban.room == room)
    and (ban.expiresAtMs == cjson.null or ban.expiresAtMs > now)
    and (oldest == nil or ban.createdAtMs < oldest.createdAtMs
      or (ban.createdAtMs == oldest.createdAtMs and ban.id < oldest.id)) then
    oldest, oldestText = ban, text
  end
end
if oldest then return {'banned', oldestText} end
local cap = tonumber(redis.call('GET', KEYS[2]) or ARGV[3])
if ARGV[4] ~= '1' or (cap < 0 and ARGV[6] ~= '1') then
  appendEntry()
  return {'none', cap}
end
local claim = claimSeat(KEYS[3], KEYS[4], KEYS[5], identity, cap, tonumber(ARGV[5]), ARGV[6], now, room)
if claim[1] == 'granted' then appendEntry() end
return {claim[1], cap, claim[2]}
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
 * Appends audit entries in one round trip, each with its id from a counter, stored as
 * `<id>|<json>` in its room's sorted set by id. KEYS: the counter, the set of rooms, then
 * each entry's room set. ARGV: for each entry, its JSON and its room ('' for every room).
 */
export const APPEND_AUDIT = `
for i = 3, #KEYS do
  local id = redis.call('INCR', KEYS[1])
  redis.call('ZADD', KEYS[i], id, id .. '|' .. ARGV[(i - 2) * 2 - 1])
  redis.call('SADD', KEYS[2], ARGV[(i - 2) * 2])
end
return #KEYS - 2
`;
