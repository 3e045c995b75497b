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
 * Appends audit entries, as a Lua function the scripts below share: each {its room's sorted
 * set, its JSON, its room ('' for every room)}, stored as `<id>|<json>` by id, with ids in
 * order from the counter. One INCRBY, one ZADD a set and one SADD for them all: a turn's
 * entries are mostly for a few rooms, and a call each cost Redis a few µs an entry more.
 */
const APPEND_ENTRIES_FUNCTION = `
local function appendEntries(counterKey, roomsKey, entries)
  if #entries == 0 then return end
  local id = redis.call('INCRBY', counterKey, #entries) - #entries
  local members, sets, seen, rooms = {}, {}, {}, {}
  for _, entry in ipairs(entries) do
    id = id + 1
    local set = members[entry[1]]
    if not set then
      set = {}
      members[entry[1]] = set
      sets[#sets + 1] = entry[1]
    end
    set[#set + 1] = id
    set[#set + 1] = id .. '|' .. entry[2]
    if not seen[entry[3]] then
      seen[entry[3]] = true
      rooms[#rooms + 1] = entry[3]
    end
  end
  for _, set in ipairs(sets) do redis.call('ZADD', set, unpack(members[set])) end
  redis.call('SADD', roomsKey, unpack(rooms))
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
 * Admits a turn's tokens in one round trip, in order, each as if alone: the identity's
 * oldest ban in force for the room (or every room), else the room's cap (its own, or the
 * default) and, when a seat is needed, the seat; then, admitted, its audit entry, stored as
 * APPEND_AUDIT stores one. KEYS: rooms with holds, the audit counter, the rooms with audit
 * entries; then for each token: the identity's bans (hash id -> ban JSON), the room's
 * limit, presence, holds, the entry's audit set. ARGV, 9 for each token: identity, room,
 * default cap (-1: none), takes a seat ("1"), hold ms, refuse ("1"), now ms, the entry's
 * JSON ('' for none), the entry's room. Answers, for each token, {"banned", ban JSON},
 * {"none", cap} (no seat needed) or {outcome, cap, seats}.
 */
export const ADMIT = `${CLAIM_SEAT_FUNCTION}${APPEND_ENTRIES_FUNCTION}
local answers, entries = {}, {}
local function admit(k, a)
  local identity, room, now = ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 7])
  local oldest, oldestText
  for _, text in ipairs(redis.call('HVALS', KEYS[k + 1])) do
    local ban = cjson.decode(text)
    if (ban.room == cjson.null or ban.room == room)
      and (ban.expiresAtMs == cjson.null or ban.expiresAtMs > now)
      and (oldest == nil or ban.createdAtMs < oldest.createdAtMs
        or (ban.createdAtMs == oldest.createdAtMs and ban.id < oldest.id)) then
      oldest, oldestText = ban, text
    end
  end
  if oldest then return {'banned', oldestText} end
  local cap = tonumber(redis.call('GET', KEYS[k + 2]) or ARGV[a + 3])
  local answer = {'none', cap}
  if ARGV[a + 4] == '1' and (cap >= 0 or ARGV[a + 6] == '1') then
    local claim = claimSeat(KEYS[k + 3], KEYS[k + 4], KEYS[1], identity, cap, tonumber(ARGV[a + 5]), ARGV[a + 6], now, room)
    answer = {claim[1], cap, claim[2]}
  end
  local entry, entryRoom = ARGV[a + 8], ARGV[a + 9]
  if (answer[1] == 'none' or answer[1] == 'granted') and entry ~= '' then
    entries[#entries + 1] = {KEYS[k + 5], entry, entryRoom}
  end
  return answer
end
for item = 0, #ARGV / 9 - 1 do
  answers[item + 1] = admit(3 + item * 5, item * 9)
end
appendEntries(KEYS[2], KEYS[3], entries)
return answers
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
export const APPEND_AUDIT = `${APPEND_ENTRIES_FUNCTION}
local entries = {}
for i = 3, #KEYS do
  entries[#entries + 1] = {KEYS[i], ARGV[(i - 2) * 2 - 1], ARGV[(i - 2) * 2]}
end
appendEntries(KEYS[1], KEYS[2], entries)
return #KEYS - 2
`;
