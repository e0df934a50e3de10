-- Import a batch of comments from an export file, each exactly once.
--
-- Every record names its source (an import key such as `wxr:<host>:<id>`);
-- a source already imported is passed over, so the same file, or an export
-- that overlaps an earlier one, adds nothing the second time, and a file
-- whose import stopped halfway can simply be imported again. A reply is
-- written only once its parent is: until then it waits (the importer sends
-- it again after its parent), so no comment ever points at a missing parent.
-- Imported comments are not screened, count against no rate limit and make
-- no event (nothing is notified); the importer audits the whole run once.
--
-- KEYS[1] id counter   KEYS[2] site's pending ids (bitmap)   KEYS[3] how many are pending
-- KEYS[4] pending count per thread   KEYS[5] decided set   KEYS[6] spam list
-- KEYS[7] imported sources (hash: import key → comment id)
-- KEYS[8] the site's threads (sorted set: thread → its first comment's time, ms)
-- ARGV[1] JSON options: prefix (of the site's keys), now (ms, a string),
--         final (true: a reply whose parent is still missing is written at
--         the top level), threads ({thread: {title, link, ...}}: what the
--         file says of each article, kept beside its comments), stats
--         (lib/stats.lua's: the queue's depth changes)
-- ARGV[2..] JSON records: source, also (other import keys of the same
--         comment), parent_source ('' for none), thread, status ('approved',
--         'pending', 'spam', 'rejected'), keep_id ('' or the id to keep when
--         it is free and above every id handed out), fields (every other
--         field of the comment hash, created_at included; empty ones left out)
--
-- Returns one {outcome, id} per record, in order: 'imported', 'orphan'
-- (imported at the top level: its parent is not in the file), 'seen' (its
-- source was imported before: the id it got) or 'waiting' (its parent is
-- not imported yet; nothing written).
-- uses lib/stats.lua

local o = cjson.decode(ARGV[1])
local prefix = o.prefix
local answers, changed, queued = {}, {}, 0

for thread, meta in pairs(o.threads) do
  local pairs_list = {}
  for name, value in pairs(meta) do
    pairs_list[#pairs_list + 1] = name
    pairs_list[#pairs_list + 1] = value
  end
  if #pairs_list > 0 then
    redis.call('HSET', prefix .. 'thread:' .. thread .. ':meta', unpack(pairs_list))
  end
end

local function allocate(keep_id)
  local keep = tonumber(keep_id)
  if keep and keep > tonumber(redis.call('GET', KEYS[1]) or '0')
      and redis.call('EXISTS', prefix .. 'comment:' .. keep_id) == 0 then
    redis.call('SET', KEYS[1], keep_id)
    return keep_id
  end
  return tostring(redis.call('INCR', KEYS[1]))
end

-- A deleted (or removed) comment that a published reply hangs under stays in the thread as a
-- placeholder, kept out of the retention purge that would break the thread.
local function hold_place(parent, thread)
  local key = prefix .. 'comment:' .. parent
  local p = redis.call('HMGET', key, 'status', 'deleted', 'created_at')
  if (p[1] == 'rejected' and p[2] == '1') or p[1] == 'removed' then
    redis.call('ZADD', prefix .. 'thread:' .. thread .. ':published', p[3], parent)
    redis.call('ZREM', KEYS[5], parent)
    changed[thread] = true
  end
end

for i = 2, #ARGV do
  local r = cjson.decode(ARGV[i])
  local seen = redis.call('HGET', KEYS[7], r.source)
  for _, alias in ipairs(r.also) do
    seen = seen or redis.call('HGET', KEYS[7], alias)
  end
  local parent, outcome = '', 'imported'
  if not seen and r.parent_source ~= '' then
    parent = redis.call('HGET', KEYS[7], r.parent_source) or ''
    if parent == '' then
      outcome = o.final and 'orphan' or 'waiting'
    end
  end
  if seen then
    answers[#answers + 1] = {'seen', seen}
  elseif outcome == 'waiting' then
    answers[#answers + 1] = {'waiting', ''}
  else
    local id = allocate(r.keep_id)
    local thread, f = r.thread, r.fields
    local created_at = f.created_at
    local hash = {'id', id, 'thread', thread, 'status', r.status}
    if parent ~= '' then
      hash[#hash + 1] = 'parent'
      hash[#hash + 1] = parent
    end
    for name, value in pairs(f) do
      hash[#hash + 1] = name
      hash[#hash + 1] = value
    end
    redis.call('HSET', prefix .. 'comment:' .. id, unpack(hash))
    local email = string.lower(f.email or '')
    if r.status == 'approved' then
      redis.call('ZADD', prefix .. 'thread:' .. thread .. ':published', created_at, id)
      if email ~= '' then
        redis.call('INCR', prefix .. 'email:' .. email .. ':approved')
      end
      if parent ~= '' then
        hold_place(parent, thread)
      end
      changed[thread] = true
    elseif r.status == 'pending' then
      if redis.call('SETBIT', KEYS[2], id, 1) == 0 then
        redis.call('INCR', KEYS[3])
        queued = queued + 1
      end
      redis.call('ZADD', prefix .. 'thread:' .. thread .. ':pending', created_at, id)
      if email ~= '' then
        redis.call('ZADD', prefix .. 'email:' .. email .. ':pending', created_at, id)
      end
      redis.call('ZINCRBY', KEYS[4], 1, thread)
    elseif r.status == 'spam' then
      redis.call('ZADD', KEYS[6], created_at, id)
    elseif r.status ~= 'removed' then  -- a removed comment waits for an admin, never for the purge
      redis.call('ZADD', KEYS[5], f.decided_at or o.now, id)
    end
    redis.call('HSET', KEYS[7], r.source, id)
    redis.call('ZADD', KEYS[8], 'LT', created_at, thread)
    for _, alias in ipairs(r.also) do
      redis.call('HSETNX', KEYS[7], alias, id)
    end
    answers[#answers + 1] = {outcome, id}
  end
end

for thread in pairs(changed) do
  redis.call('INCR', prefix .. 'thread:' .. thread .. ':version')
end
if queued > 0 then
  local stats = open_stats(prefix, o.stats)
  local after = tonumber(redis.call('GET', KEYS[3]))
  stats:depth(after - queued, after)
  stats:close()
end
return answers
