// The Lua scripts of the Redis store: each runs atomically on the server, over keys of one hash tag.
//
// Every script takes KEYS[1] = `{prefix}:ver` (so Redis Cluster routes it to the store's slot) and ARGV[1] = the
// hash-tagged base `{prefix}`; the other keys it touches are built from that base and share its slot. Numbers cross
// as decimal strings (cjson would round epoch milliseconds). Scripts answer `{code, ...}`: 1 done, 0 refused
// (a check failed, or an unknown watch), 2 a timed override is due (the caller ends it, then calls again),
// 3 a limit was reached.

/** A script and how many keys it declares. */
export interface LuaScript {
  /** Declared keys (always 1: the `:ver` key). */
  readonly numberOfKeys: 1;
  /** The Lua source. */
  readonly lua: string;
}

const script = (lua: string): LuaScript => Object.freeze({ numberOfKeys: 1, lua });

// Shared Lua: `due(base, now)` is true when a timed override ended at or before `now`.
const DUE = `
local function due(base, now)
  return #redis.call('ZRANGEBYSCORE', base .. ':pexp', '-inf', now, 'LIMIT', 0, 1) > 0
end
`;

// Shared Lua for watches: load a live watch (dropping it when its lease has passed) and describe it.
const WATCH = `
local function dropWatch(base, wid)
  redis.call('DEL', base .. ':w:' .. wid, base .. ':wi:' .. wid, base .. ':wa:' .. wid)
  redis.call('ZREM', base .. ':w', wid)
  redis.call('ZREM', base .. ':wexp', wid)
end
local function dropExpired(base, now)
  local gone = redis.call('ZRANGEBYSCORE', base .. ':wexp', '-inf', now)
  for _, wid in ipairs(gone) do dropWatch(base, wid) end
end
local function liveWatch(base, wid, now)
  local f = redis.call('HMGET', base .. ':w:' .. wid, 'dis', 'owner', 'lease', 'renewed', 'polled')
  if not f[1] then return nil end
  if tonumber(now) - tonumber(f[4]) >= tonumber(f[3]) then
    dropWatch(base, wid)
    return nil
  end
  return f
end
local function renew(base, wid, now, lease)
  redis.call('HSET', base .. ':w:' .. wid, 'renewed', now)
  redis.call('ZADD', base .. ':wexp', tonumber(now) + tonumber(lease), wid)
end
local function describe(base, wid, f)
  return {wid, f[1], f[2] or false, f[3], redis.call('ZRANGE', base .. ':wi:' .. wid, 0, -1)}
end
`;

/** Tombstones (`:tomb`) held before a commit that removes entities prunes those every watch has polled past. */
export const TOMBSTONES_PRUNE_AT = 1024;

/**
 * Removed ids the change log keeps (the newest): older removals are pruned, and the log then covers only the
 * versions after the newest one pruned (a mirror behind that fills again).
 */
export const LOGGED_REMOVALS = 10_000;

// Shared Lua: `runs(cmd, key, args)` calls `cmd key` with `args` in runs of at most 4000 (Lua's unpack takes a few
// thousand values; pairs stay whole).
const RUNS = `
local function runs(cmd, key, args)
  for i = 1, #args, 4000 do redis.call(cmd, key, unpack(args, i, math.min(i + 3999, #args))) end
end
`;

/**
 * Apply a staged change if every check still holds (optimistic concurrency without WATCH, so one connection can
 * carry many callers). ARGV: base, checks `[[suffix, field, expected|false]...]`, ops `[[cmd, suffix, args...]...]`,
 * ids changed, ids removed, change message (or ''). Changed and removed ids get the next `:ver` as their version or
 * tombstone, and the message is published on `{prefix}:changes` with that version added as `v` (other processes'
 * caches and watches learn of it there), by the script itself once the checks pass and before its first write (as
 * `TELL` does): a process dying right after the script has told the change, and a PUBLISH Redis refuses (an ACL)
 * fails the commit with nothing written.
 *
 * The change is logged for the processes that mirror the entities (see {@link CHANGES}): each id with the version
 * of its last change in `:cl` (stored ids) or `:cr` (removed ids, the newest {@link LOGGED_REMOVALS} kept), and in
 * `:meta` the last version logged (`logged`) and the version after which the log holds every change (`logfrom`).
 * A version this script did not log (written by a process older than the log, or before there was one) is found
 * here as `logged` lagging behind, and moves `logfrom` past it.
 */
export const APPLY = script(`${RUNS}
local base = ARGV[1]
local checks = cjson.decode(ARGV[2])
for i = 1, #checks do
  local c = checks[i]
  if redis.call('HGET', base .. c[1], c[2]) ~= c[3] then return {0} end
end
local changed = cjson.decode(ARGV[4])
local removed = cjson.decode(ARGV[5])
local told = #changed + #removed > 0
-- The message (a JSON object) with this change's version put first, so that a listener can tell when it has heard
-- every change; sent before the first write (listeners still hear it only after the script has run whole).
local ver = tonumber(redis.call('GET', KEYS[1]) or '0') + 1
if told and ARGV[6] ~= '' then
  redis.call('PUBLISH', base .. ':changes', '{"v":' .. ver .. ',' .. string.sub(ARGV[6], 2))
end
local ops = cjson.decode(ARGV[3])
for i = 1, #ops do
  local op = ops[i]
  local args = {}
  for j = 3, #op do args[#args + 1] = op[j] end
  redis.call(op[1], base .. op[2], unpack(args))
end
if not told then return {1, 0} end
redis.call('INCR', KEYS[1])
local meta = base .. ':meta'
if tonumber(redis.call('HGET', meta, 'logged') or '-1') ~= ver - 1 then
  redis.call('HSET', meta, 'logfrom', ver - 1)
end
redis.call('HSET', meta, 'logged', ver)
-- Stamp ids with this version: into a hash and a log, out of the other hash and log (a changed id goes into the
-- versions :ev and the change log :cl, a removed one into the tombstones :tomb and the removal log :cr).
local function stamp(ids, into, from, log, unlog)
  local fields, scored = {}, {}
  for i = 1, #ids do
    fields[#fields + 1] = ids[i]
    fields[#fields + 1] = ver
    scored[#scored + 1] = ver
    scored[#scored + 1] = ids[i]
  end
  runs('HSET', base .. into, fields)
  runs('HDEL', base .. from, ids)
  runs('ZADD', base .. log, scored)
  runs('ZREM', base .. unlog, ids)
end
if #changed > 0 then stamp(changed, ':ev', ':tomb', ':cl', ':cr') end
if #removed > 0 then
  stamp(removed, ':tomb', ':ev', ':cr', ':cl')
  local extra = redis.call('ZCARD', base .. ':cr') - ${LOGGED_REMOVALS}
  if extra > 0 then
    local last = redis.call('ZRANGE', base .. ':cr', extra - 1, extra - 1, 'WITHSCORES')
    redis.call('ZREMRANGEBYRANK', base .. ':cr', 0, extra - 1)
    if tonumber(last[2]) > tonumber(redis.call('HGET', meta, 'logfrom')) then
      redis.call('HSET', meta, 'logfrom', last[2])
    end
  end
  -- Tombstones only matter to watches that have not polled since the removal: past a size (and twice what the last
  -- prune kept, so that a watch holding them back costs one scan per doubling), drop those every watch has seen.
  local tombs = redis.call('HLEN', base .. ':tomb')
  if tombs >= ${TOMBSTONES_PRUNE_AT} and tombs >= 2 * tonumber(redis.call('HGET', meta, 'tombkeep') or '0') then
    local seen = ver
    local ws = redis.call('ZRANGE', base .. ':w', 0, -1)
    for i = 1, #ws do
      local p = tonumber(redis.call('HGET', base .. ':w:' .. ws[i], 'polled') or '0')
      if p < seen then seen = p end
    end
    local all, gone = redis.call('HGETALL', base .. ':tomb'), {}
    for i = 1, #all, 2 do
      if tonumber(all[i + 1]) <= seen then gone[#gone + 1] = all[i] end
    end
    if #gone > 0 then runs('HDEL', base .. ':tomb', gone) end
    redis.call('HSET', meta, 'tombkeep', tombs - #gone)
  end
end
return {1, ver}
`);

/**
 * Entities matching a set expression (JSON: `{k:'all'|'set'|'not'|'range'|'and'|'or', ...}`, see `SetExpr`), with
 * their Hayson.
 * ARGV: base, now, expression, ids only ('1': no data, for a limited read that fetches what it needs). Answers
 * `{1, ids, data}` (unsorted: the caller sorts by id), or `{2}` when an override is due. `and` intersects its plain sets with SINTER and tests the rest per candidate with SISMEMBER.
 */
export const QUERY = script(`${DUE}
local base = ARGV[1]
if due(base, ARGV[2]) then return {2} end
local test
local function members(n)
  if n.k == 'all' then return redis.call('SMEMBERS', base .. ':all') end
  if n.k == 'set' then return redis.call('SMEMBERS', base .. n.key) end
  if n.k == 'not' then return redis.call('SDIFF', base .. ':all', base .. n.key) end
  if n.k == 'range' then return redis.call('ZRANGEBYSCORE', base .. n.key, n.lo, n.hi) end
  if n.k == 'and' then
    local keys, rest = {}, {}
    for _, c in ipairs(n.a) do
      if c.k == 'set' then keys[#keys + 1] = base .. c.key else rest[#rest + 1] = c end
    end
    local cand
    if #keys > 0 then cand = redis.call('SINTER', unpack(keys)) else cand = members(table.remove(rest, 1)) end
    if #rest == 0 then return cand end
    local out = {}
    for _, id in ipairs(cand) do
      local ok = true
      for _, c in ipairs(rest) do
        if not test(c, id) then ok = false; break end
      end
      if ok then out[#out + 1] = id end
    end
    return out
  end
  local seen, out = {}, {}
  for _, c in ipairs(n.a) do
    for _, id in ipairs(members(c)) do
      if not seen[id] then seen[id] = true; out[#out + 1] = id end
    end
  end
  return out
end
test = function(n, id)
  if n.k == 'all' then return true end
  if n.k == 'set' then return redis.call('SISMEMBER', base .. n.key, id) == 1 end
  if n.k == 'not' then return redis.call('SISMEMBER', base .. n.key, id) == 0 end
  if n.k == 'range' then
    local s = redis.call('ZSCORE', base .. n.key, id)
    if not s then return false end
    local v = tonumber(s)
    if n.min ~= cjson.null and (v < n.min or (n.minx and v == n.min)) then return false end
    if n.max ~= cjson.null and (v > n.max or (n.maxx and v == n.max)) then return false end
    return true
  end
  if n.k == 'and' then
    for _, c in ipairs(n.a) do if not test(c, id) then return false end end
    return true
  end
  for _, c in ipairs(n.a) do if test(c, id) then return true end end
  return false
end
local ids = members(cjson.decode(ARGV[3]))
if ARGV[4] == '1' or #ids == 0 then return {1, ids, {}} end
local data = {}
for i = 1, #ids, 4000 do
  local part = redis.call('HMGET', base .. ':e', unpack(ids, i, math.min(i + 3999, #ids)))
  for j = 1, #part do data[#data + 1] = part[j] end
end
return {1, ids, data}
`);

/** Entities by id (ARGV: base, now, ids...): `{1, data...}` with false for unknown ids, or `{2}` when an override is due. */
export const BY_IDS = script(`${DUE}
local base = ARGV[1]
if due(base, ARGV[2]) then return {2} end
if #ARGV == 2 then return {1} end
local out = {1}
for i = 3, #ARGV, 4000 do
  local part = redis.call('HMGET', base .. ':e', unpack(ARGV, i, math.min(i + 3999, #ARGV)))
  for j = 1, #part do out[#out + 1] = part[j] end
end
return out
`);

/**
 * The store's head for a mirror, in one round trip (ARGV: base): `{version, earliest override end | false, epoch}`
 * (the epoch, set when a store is first opened, tells it from one made anew under the same prefix).
 */
export const HEAD = script(`
local e = redis.call('ZRANGE', ARGV[1] .. ':pexp', 0, 0, 'WITHSCORES')
return {redis.call('GET', KEYS[1]) or '0', e[2] or false, redis.call('HGET', ARGV[1] .. ':meta', 'epoch') or ''}
`);

/**
 * What changed after a version, read atomically with the version it brings a mirror to (ARGV: base, since, most):
 * `{1, version, ids, their entities (false: gone), removed ids}`, or `{0}` when the log (see {@link APPLY}) does
 * not hold every change since (a version it missed, or pruned removals) or more than `most` ids changed: the
 * mirror then fills again, chunk by chunk, rather than taking one unbounded reply.
 */
export const CHANGES = script(`
local base, since = ARGV[1], tonumber(ARGV[2])
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
if head <= since then return {1, head, {}, {}, {}} end
local m = redis.call('HMGET', base .. ':meta', 'logged', 'logfrom')
if not m[1] or not m[2] or tonumber(m[1]) ~= head or since < tonumber(m[2]) then return {0} end
local lo = '(' .. ARGV[2]
local n = redis.call('ZCOUNT', base .. ':cl', lo, '+inf') + redis.call('ZCOUNT', base .. ':cr', lo, '+inf')
if n > tonumber(ARGV[3]) then return {0} end
local ids = redis.call('ZRANGEBYSCORE', base .. ':cl', lo, '+inf')
local data = {}
for i = 1, #ids, 4000 do
  local part = redis.call('HMGET', base .. ':e', unpack(ids, i, math.min(i + 3999, #ids)))
  for j = 1, #part do data[#data + 1] = part[j] end
end
return {1, head, ids, data, redis.call('ZRANGEBYSCORE', base .. ':cr', lo, '+inf')}
`);

/** Number of entities (ARGV: base, now): `{1, n}` or `{2}`. */
export const COUNT = script(`${DUE}
local base = ARGV[1]
if due(base, ARGV[2]) then return {2} end
return {1, redis.call('HLEN', base .. ':e')}
`);

/**
 * Merge history samples (ARGV: base, id, then ts, member pairs sorted by ts with one sample per ts): `{1, n}`, or
 * `{0}` when the point does not exist. Samples later than every stored one are appended without looking for
 * samples to replace (the common case of live data).
 */
export const HIS_WRITE = script(`
local base = ARGV[1]
if redis.call('HEXISTS', base .. ':e', ARGV[2]) == 0 then return {0} end
local n = (#ARGV - 2) / 2
if n == 0 then return {1, 0} end
local key = base .. ':h:' .. ARGV[2]
local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if last[2] ~= nil and tonumber(last[2]) >= tonumber(ARGV[3]) then
  for i = 3, #ARGV, 2 do redis.call('ZREMRANGEBYSCORE', key, ARGV[i], ARGV[i]) end
end
for i = 3, #ARGV, 4000 do
  redis.call('ZADD', key, unpack(ARGV, i, math.min(i + 3999, #ARGV)))
end
return {1, n}
`);

/**
 * Samples of several points as one write (ARGV: base, then per point its id, its sample count n and n pairs as
 * HIS_WRITE takes them): `{1, n}`, or `{0, id}` for an unknown point, checked for every point before any is written.
 */
export const HIS_WRITE_BATCH = script(`
local base = ARGV[1]
local i = 2
while i <= #ARGV do
  if redis.call('HEXISTS', base .. ':e', ARGV[i]) == 0 then return {0, ARGV[i]} end
  i = i + 2 + 2 * tonumber(ARGV[i + 1])
end
local total = 0
i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i + 1])
  local from = i + 2
  local to = from + 2 * n - 1
  if n > 0 then
    local key = base .. ':h:' .. ARGV[i]
    local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    if last[2] ~= nil and tonumber(last[2]) >= tonumber(ARGV[from]) then
      for j = from, to, 2 do redis.call('ZREMRANGEBYSCORE', key, ARGV[j], ARGV[j]) end
    end
    for j = from, to, 4000 do
      redis.call('ZADD', key, unpack(ARGV, j, math.min(j + 3999, to)))
    end
  end
  total = total + n
  i = to + 1
end
return {1, total}
`);

/** The first samples in `[start, end)` (ARGV: base, id, start, end, limit): `{1, members...}` or `{0}`. */
export const HIS_READ_PAGE = script(`
local base = ARGV[1]
if redis.call('HEXISTS', base .. ':e', ARGV[2]) == 0 then return {0} end
return {1, redis.call('ZRANGEBYSCORE', base .. ':h:' .. ARGV[2], ARGV[3], '(' .. ARGV[4], 'LIMIT', 0, ARGV[5])}
`);

/** History in `[start, end)` (ARGV: base, id, start, end): `{1, members...}` or `{0}` for an unknown point. */
export const HIS_READ = script(`
local base = ARGV[1]
if redis.call('HEXISTS', base .. ':e', ARGV[2]) == 0 then return {0} end
return {1, redis.call('ZRANGEBYSCORE', base .. ':h:' .. ARGV[2], ARGV[3], '(' .. ARGV[4])}
`);

/** How many samples a point holds (ARGV: base, id): `{1, n}` or `{0}`. */
export const HIS_COUNT = script(`
local base = ARGV[1]
if redis.call('HEXISTS', base .. ':e', ARGV[2]) == 0 then return {0} end
return {1, redis.call('ZCARD', base .. ':h:' .. ARGV[2])}
`);

/**
 * Points' entities and levels (ARGV: base, now, id...): `{1, entity|false, levels|false, ...}`, a pair per id, or
 * `{2}` when an override is due. What point writes stage from (and then check with APPLY).
 */
export const POINT = script(`${DUE}
local base = ARGV[1]
if due(base, ARGV[2]) then return {2} end
local out = {1}
for i = 3, #ARGV do
  out[#out + 1] = redis.call('HGET', base .. ':e', ARGV[i])
  out[#out + 1] = redis.call('HGET', base .. ':pa', ARGV[i])
end
return out
`);

/** Points whose timed overrides are due (ARGV: base, now): `{id, entity|false, levels|false}...`. */
export const DUE_POINTS = script(`
local base = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', base .. ':pexp', '-inf', ARGV[2], 'LIMIT', 0, 500)
local out = {}
for _, id in ipairs(ids) do
  out[#out + 1] = {id, redis.call('HGET', base .. ':e', id), redis.call('HGET', base .. ':pa', id)}
end
return out
`);

/** Every point with a timed level and its levels (ARGV: base): `{id, levels|false}...`. */
export const TIMED_POINTS = script(`
local base = ARGV[1]
local out = {}
for _, id in ipairs(redis.call('ZRANGE', base .. ':pexp', 0, -1)) do
  out[#out + 1] = {id, redis.call('HGET', base .. ':pa', id)}
end
return out
`);

/**
 * Open a watch (ARGV: base, now, id, dis, owner|'', hasOwner 0/1, lease, maxWatches, maxOwned or -1 for none):
 * `{1, info}`, `{3}` when maxWatches are open, `{4}` when the owner holds maxOwned.
 */
export const WATCH_OPEN = script(`${WATCH}
local base, now, wid = ARGV[1], ARGV[2], ARGV[3]
dropExpired(base, now)
if redis.call('ZCARD', base .. ':w') >= tonumber(ARGV[8]) then return {3} end
local maxOwned = tonumber(ARGV[9] or '-1')
if ARGV[6] == '1' and maxOwned >= 0 then
  local owned = 0
  for _, w in ipairs(redis.call('ZRANGE', base .. ':w', 0, -1)) do
    if redis.call('HGET', base .. ':w:' .. w, 'owner') == ARGV[5] then owned = owned + 1 end
  end
  if owned >= maxOwned then return {4} end
end
local key = base .. ':w:' .. wid
redis.call('HSET', key, 'dis', ARGV[4], 'lease', ARGV[7], 'renewed', now,
  'polled', redis.call('GET', KEYS[1]) or '0', 'seq', '0')
if ARGV[6] == '1' then redis.call('HSET', key, 'owner', ARGV[5]) end
redis.call('ZADD', base .. ':w', redis.call('INCR', base .. ':wseq'), wid)
renew(base, wid, now, ARGV[7])
return {1, describe(base, wid, liveWatch(base, wid, now))}
`);

/**
 * Add, remove or re-lease (ARGV: base, now, watch, action 'add'|'remove'|'lease', maxIds or lease, ids...):
 * `{1, info}`, `{0}` for an unknown or expired watch, `{3}` when the watch would hold too many ids.
 */
export const WATCH_CHANGE = script(`${WATCH}
local base, now, wid, action = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local f = liveWatch(base, wid, now)
if not f then return {0} end
local idsKey, addedKey = base .. ':wi:' .. wid, base .. ':wa:' .. wid
if action == 'add' then
  local fresh, seen = {}, {}
  for i = 6, #ARGV do
    local id = ARGV[i]
    if not seen[id] and not redis.call('ZSCORE', idsKey, id) then
      seen[id] = true
      fresh[#fresh + 1] = id
    end
  end
  if redis.call('ZCARD', idsKey) + #fresh > tonumber(ARGV[5]) then return {3} end
  local ver = redis.call('GET', KEYS[1]) or '0'
  for _, id in ipairs(fresh) do
    redis.call('ZADD', idsKey, redis.call('HINCRBY', base .. ':w:' .. wid, 'seq', 1), id)
    redis.call('HSET', addedKey, id, ver)
  end
elseif action == 'remove' then
  for i = 6, #ARGV do
    redis.call('ZREM', idsKey, ARGV[i])
    redis.call('HDEL', addedKey, ARGV[i])
  end
else
  redis.call('HSET', base .. ':w:' .. wid, 'lease', ARGV[5])
  f[3] = ARGV[5]
end
renew(base, wid, now, f[3])
return {1, describe(base, wid, f)}
`);

/** Close a watch (ARGV: base, watch). */
export const WATCH_CLOSE = script(`${WATCH}
dropWatch(ARGV[1], ARGV[2])
return {1}
`);

/**
 * Poll a watch (ARGV: base, now, watch, refresh 0/1): `{1, info, changed data, removed ids}`, `{0}` for an unknown watch, `{2}` when an override is due. Moves the watch's change
 * point to the current version and renews its lease, atomically with what it reports.
 */
export const WATCH_POLL = script(`${DUE}${WATCH}
local base, now, wid = ARGV[1], ARGV[2], ARGV[3]
if due(base, now) then return {2} end
local f = liveWatch(base, wid, now)
if not f then return {0} end
local refresh = ARGV[4] == '1'
local polled = tonumber(f[5])
local ids = redis.call('ZRANGE', base .. ':wi:' .. wid, 0, -1)
local data, removed = {}, {}
if #ids > 0 then
  local added = redis.call('HMGET', base .. ':wa:' .. wid, unpack(ids))
  local vers = redis.call('HMGET', base .. ':ev', unpack(ids))
  local tombs = redis.call('HMGET', base .. ':tomb', unpack(ids))
  for i, id in ipairs(ids) do
    local since = math.max(polled, tonumber(added[i] or '0'))
    if vers[i] then
      if refresh or tonumber(vers[i]) > since then data[#data + 1] = redis.call('HGET', base .. ':e', id) end
    elseif tombs[i] and tonumber(tombs[i]) > since then
      removed[#removed + 1] = id
    end
  end
end
redis.call('HSET', base .. ':w:' .. wid, 'polled', redis.call('GET', KEYS[1]) or '0')
renew(base, wid, now, f[3])
return {1, describe(base, wid, f), data, removed}
`);

/** One live watch without renewing it (ARGV: base, now, watch): `{1, info}` or `{0}`. */
export const WATCH_INFO = script(`${WATCH}
local base, now, wid = ARGV[1], ARGV[2], ARGV[3]
local f = redis.call('HMGET', base .. ':w:' .. wid, 'dis', 'owner', 'lease', 'renewed')
if not f[1] or tonumber(now) - tonumber(f[4]) >= tonumber(f[3]) then return {0} end
return {1, describe(base, wid, f)}
`);

/** Every open watch in open order, expired ones dropped (ARGV: base, now): `{1, info...}`. */
export const WATCH_LIST = script(`${WATCH}
local base, now = ARGV[1], ARGV[2]
dropExpired(base, now)
local out = {1}
for _, wid in ipairs(redis.call('ZRANGE', base .. ':w', 0, -1)) do
  local f = liveWatch(base, wid, now)
  if f then out[#out + 1] = describe(base, wid, f) end
end
return out
`);

// Shared Lua: `tell(base, user)` publishes `{"users":[user]}` on `{prefix}:changes`, so that every process checks
// the user's sessions at once. A script calls it once it knows what it will change and before the first write: a
// PUBLISH that Redis refuses (an ACL) then fails the script with nothing changed, and listeners hear of the change
// only after it is made all the same (the script runs whole before they can read; its messages go out after it).
const TELL = `
local function tell(base, user)
  redis.call('PUBLISH', base .. ':changes', cjson.encode({users = {user}}))
end
`;

// Shared Lua: `drop(base, id)` removes one session and its index entries (1, or 0 for none); `dropUser(base, user)`
// removes every session of a user and answers how many.
const DROP = `
local function drop(base, id)
  local key = base .. ':s:' .. id
  local user = redis.call('HGET', key, 'username')
  if not user then return 0 end
  redis.call('DEL', key)
  redis.call('SREM', base .. ':su:' .. user, id)
  redis.call('ZREM', base .. ':sx', id)
  return 1
end
local function dropUser(base, user)
  local n = 0
  for _, id in ipairs(redis.call('SMEMBERS', base .. ':su:' .. user)) do n = n + drop(base, id) end
  return n
end
`;

/**
 * Users (ARGV: base, action, username, then for `swap` the record expected (`''` for none), the new one and `'1'` to
 * end the user's sessions with it): `swap` replaces the user's record only if it still holds the one expected,
 * `delete` removes it and the user's sessions. Answers `{1}`, or `{0}` when the record was not as expected (`delete`:
 * no such user). The change (and the end of the sessions) is published (see `TELL`) by the script that makes it, so no
 * process can make it untold, and the sessions end in the same script as the change, so neither happens alone.
 */
export const USER = script(`${TELL}${DROP}
local base, action, user = ARGV[1], ARGV[2], ARGV[3]
local key = base .. ':u'
local cur = redis.call('HGET', key, user)
if action == 'swap' then
  if (cur or '') ~= ARGV[4] then return {0} end
  tell(base, user)
  redis.call('HSET', key, user, ARGV[5])
  if ARGV[6] == '1' then dropUser(base, user) end
  return {1}
end
if not cur then return {0} end
tell(base, user)
redis.call('HDEL', key, user)
dropUser(base, user)
return {1}
`);

/**
 * Sessions. ARGV: base, action, then: put (id, username, created, lastUsed, expires), touch (id, lastUsed, expires),
 * delete (id), deleteUser (username), purge (now). Answers `{n}`: sessions touched or removed. `delete` and
 * `deleteUser` publish the owner's change (see `TELL`) when they end a session; an expired one (purge) is not told.
 */
export const SESSION = script(`${TELL}${DROP}
local base, action = ARGV[1], ARGV[2]
if action == 'put' then
  drop(base, ARGV[3])
  redis.call('HSET', base .. ':s:' .. ARGV[3], 'username', ARGV[4], 'created', ARGV[5], 'lastUsed', ARGV[6],
    'expires', ARGV[7])
  redis.call('SADD', base .. ':su:' .. ARGV[4], ARGV[3])
  redis.call('ZADD', base .. ':sx', ARGV[7], ARGV[3])
  return {1}
elseif action == 'touch' then
  local key = base .. ':s:' .. ARGV[3]
  if redis.call('EXISTS', key) == 0 then return {0} end
  redis.call('HSET', key, 'lastUsed', ARGV[4], 'expires', ARGV[5])
  redis.call('ZADD', base .. ':sx', ARGV[5], ARGV[3])
  return {1}
elseif action == 'delete' then
  local user = redis.call('HGET', base .. ':s:' .. ARGV[3], 'username')
  if not user then return {0} end
  tell(base, user)
  return {drop(base, ARGV[3])}
elseif action == 'deleteUser' then
  if redis.call('SCARD', base .. ':su:' .. ARGV[3]) == 0 then return {0} end
  tell(base, ARGV[3])
  return {dropUser(base, ARGV[3])}
end
local n = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. ':sx', '-inf', ARGV[3])) do n = n + drop(base, id) end
return {n}
`);

/**
 * Login-throttle records, known-good addresses and SCRAM exchanges (ARGV: base, action, ...): `records` (fields...),
 * `fail` (field, now, windowMs, keepUntil), `refund` (field, maxFailures), `clear` (field), `remember` (user, address,
 * now, keep, keepUntil), `known` (user, address), `put` (token, alias|'', owner, state, expires, maxPerOwner,
 * maxEntries, now), `take` (token, now), `purge` (now). Throttle records live in `:th` (`failures:lastFailure`) with
 * their keep-until in `:thx`; addresses in `:ka:<user>` by time with keep-until in `:kax`; exchanges in `:hs:<token>`,
 * ordered in `:hsq` and `:hso:<owner>`, expiring in `:hsx`, reachable by alias through `:hsa`.
 */
export const AUTH_STATE = script(`
local base, action = ARGV[1], ARGV[2]
local NUL = '\\0'
local function count(rec)
  local sep = string.find(rec, ':', 1, true)
  return tonumber(string.sub(rec, 1, sep - 1)), string.sub(rec, sep)
end
local function dropHs(t)
  local key = base .. ':hs:' .. t
  local f = redis.call('HMGET', key, 'alias', 'owner')
  if not f[2] then return 0 end
  redis.call('DEL', key)
  if f[1] and f[1] ~= '' and redis.call('HGET', base .. ':hsa', f[1]) == t then
    redis.call('HDEL', base .. ':hsa', f[1])
  end
  redis.call('ZREM', base .. ':hso:' .. f[2], t)
  redis.call('ZREM', base .. ':hsq', t)
  redis.call('ZREM', base .. ':hsx', t)
  return 1
end
local function dropExpiredHs(now)
  local n = 0
  for _, t in ipairs(redis.call('ZRANGEBYSCORE', base .. ':hsx', '-inf', now)) do n = n + dropHs(t) end
  return n
end
if action == 'records' then
  local out = {}
  for i = 3, #ARGV do out[#out + 1] = redis.call('HGET', base .. ':th', ARGV[i]) end
  return out
elseif action == 'fail' then
  local cur = redis.call('HGET', base .. ':th', ARGV[3])
  local failures = 1
  if cur then
    local n, rest = count(cur)
    if tonumber(ARGV[4]) - tonumber(string.sub(rest, 2)) <= tonumber(ARGV[5]) then failures = n + 1 end
  end
  redis.call('HSET', base .. ':th', ARGV[3], string.format('%d', failures) .. ':' .. ARGV[4])
  redis.call('ZADD', base .. ':thx', ARGV[6], ARGV[3])
  return {failures}
elseif action == 'refund' then
  local cur = redis.call('HGET', base .. ':th', ARGV[3])
  if cur then
    local n, rest = count(cur)
    if n >= 1 and n <= tonumber(ARGV[4]) then
      redis.call('HSET', base .. ':th', ARGV[3], string.format('%d', n - 1) .. rest)
    end
  end
  return {1}
elseif action == 'clear' then
  redis.call('HDEL', base .. ':th', ARGV[3])
  redis.call('ZREM', base .. ':thx', ARGV[3])
  return {1}
elseif action == 'remember' then
  local user, addr = ARGV[3], ARGV[4]
  local key = base .. ':ka:' .. user
  redis.call('ZADD', key, ARGV[5], addr)
  redis.call('ZADD', base .. ':kax', ARGV[7], user .. NUL .. addr)
  local extra = redis.call('ZCARD', key) - tonumber(ARGV[6])
  if extra > 0 then
    for _, a in ipairs(redis.call('ZRANGE', key, 0, extra - 1)) do
      redis.call('ZREM', key, a)
      redis.call('ZREM', base .. ':kax', user .. NUL .. a)
    end
  end
  return {1}
elseif action == 'known' then
  return {redis.call('ZSCORE', base .. ':ka:' .. ARGV[3], ARGV[4])}
elseif action == 'put' then
  local t, alias, owner, expires = ARGV[3], ARGV[4], ARGV[5], ARGV[7]
  dropExpiredHs(ARGV[10])
  dropHs(t)
  local ownerKey = base .. ':hso:' .. owner
  local held = redis.call('ZCARD', ownerKey)
  local maxPerOwner = tonumber(ARGV[8])
  if held >= maxPerOwner then
    for _, old in ipairs(redis.call('ZRANGE', ownerKey, 0, held - maxPerOwner)) do dropHs(old) end
  end
  local seq = redis.call('INCR', base .. ':hseq')
  redis.call('HSET', base .. ':hs:' .. t, 'alias', alias, 'owner', owner, 'state', ARGV[6], 'expires', expires)
  if alias ~= '' then redis.call('HSET', base .. ':hsa', alias, t) end
  redis.call('ZADD', ownerKey, seq, t)
  redis.call('ZADD', base .. ':hsq', seq, t)
  redis.call('ZADD', base .. ':hsx', expires, t)
  local extra = redis.call('ZCARD', base .. ':hsq') - tonumber(ARGV[9])
  if extra > 0 then
    for _, old in ipairs(redis.call('ZRANGE', base .. ':hsq', 0, extra - 1)) do dropHs(old) end
  end
  return {1}
elseif action == 'take' then
  local t = ARGV[3]
  if redis.call('EXISTS', base .. ':hs:' .. t) == 0 then
    t = redis.call('HGET', base .. ':hsa', ARGV[3])
    if not t then return {false} end
  end
  local f = redis.call('HMGET', base .. ':hs:' .. t, 'state', 'expires')
  dropHs(t)
  if not f[1] or tonumber(ARGV[4]) >= tonumber(f[2]) then return {false} end
  return {f[1]}
end
local now = ARGV[3]
local n = dropExpiredHs(now)
for _, f in ipairs(redis.call('ZRANGEBYSCORE', base .. ':thx', '-inf', now)) do
  redis.call('HDEL', base .. ':th', f)
  n = n + 1
end
redis.call('ZREMRANGEBYSCORE', base .. ':thx', '-inf', now)
for _, ua in ipairs(redis.call('ZRANGEBYSCORE', base .. ':kax', '-inf', now)) do
  local sep = string.find(ua, NUL, 1, true)
  redis.call('ZREM', base .. ':ka:' .. string.sub(ua, 1, sep - 1), string.sub(ua, sep + 1))
  n = n + 1
end
redis.call('ZREMRANGEBYSCORE', base .. ':kax', '-inf', now)
return {n}
`);
