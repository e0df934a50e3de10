-- Erase a batch of one commenter's comments (the right to erasure), or strip
-- them of everything that names the commenter: one step of an erasure job
-- (moderation/erasure.py), which moves the job's cursor on in the same step.
--
-- Each id given is checked again here: only a comment that still carries the
-- address is touched, so a batch run twice (after a crash) or racing a
-- decision leaves nothing behind and touches nobody else. Deleting takes the
-- comment out of every index (the queue, its thread's and the site's sets,
-- the spam list, the decided set, its duplicate guard) and raises the
-- version of a thread it was published in; keeping the text renames the
-- author "Deleted" and removes email, IP, user agent and website. The
-- commenter's own pending index and trust counter go when the job finishes
-- (erasure_finish.lua).
--
-- The job moves only from the cursor the caller scanned from, and only for
-- the runner that holds its lease (or once the lease ran out): two runners of
-- one job never count a comment twice or skip ids. The ids given are those
-- the caller found from ``from`` up to ``to`` (exclusive); the cursor becomes
-- ``to``.
--
-- KEYS[1] site's pending ids (bitmap)   KEYS[2] how many are pending
-- KEYS[3] pending count per thread   KEYS[4] decided set   KEYS[5] spam list
-- KEYS[6] the erasure job (hash)
-- ARGV[1] JSON options: prefix (of the site's keys), email (lower-cased as
--         the keys are), keep_text, digests ({id: its duplicate guard's
--         field}), from, to (the cursor before and after), runner, now (ms),
--         lease_ms, stats (lib/stats.lua's: the queue's depth changes)
-- ARGV[2..] comment ids
--
-- Returns how many comments it erased (or stripped), or -1 when the job is
-- not this runner's to move from ``from`` (moved on, finished, or leased).
-- uses lib/stats.lua

local o = cjson.decode(ARGV[1])
local prefix, erased, changed, dequeued = o.prefix, 0, {}, 0

local job = redis.call('HMGET', KEYS[6], 'state', 'cursor', 'runner', 'lease_until')
if job[1] ~= 'running' or tonumber(job[2]) ~= o.from
    or (job[3] and job[3] ~= o.runner and tonumber(job[4] or 0) > o.now) then
  return -1
end

for i = 2, #ARGV do
  local id = ARGV[i]
  local key = prefix .. 'comment:' .. id
  local c = redis.call('HMGET', key, 'email', 'status', 'thread')
  if c[1] and string.lower(c[1]) == o.email then
    local thread = c[3]
    if o.keep_text then
      redis.call('HSET', key, 'author', 'Deleted')
      redis.call('HDEL', key, 'email', 'ip', 'user_agent', 'url')
      if c[2] == 'approved' then
        changed[thread] = true
      end
    else
      if redis.call('SETBIT', KEYS[1], id, 0) == 1 then
        redis.call('DECR', KEYS[2])
        dequeued = dequeued + 1
        if tonumber(redis.call('ZINCRBY', KEYS[3], -1, thread)) <= 0 then
          redis.call('ZREM', KEYS[3], thread)
        end
      end
      redis.call('ZREM', prefix .. 'thread:' .. thread .. ':pending', id)
      if redis.call('ZREM', prefix .. 'thread:' .. thread .. ':published', id) == 1 then
        changed[thread] = true
      end
      redis.call('ZREM', KEYS[4], id)
      redis.call('ZREM', KEYS[5], id)
      redis.call('DEL', prefix .. 'claim:' .. id, prefix .. 'reports:' .. id, prefix .. 'reports:' .. id .. ':networks')
      redis.call('ZREM', prefix .. 'reported', id)
      local digest = o.digests[id]
      if digest then
        redis.call('HDEL', prefix .. 'thread:' .. thread .. ':duplicates', digest)
      end
      redis.call('DEL', key)
    end
    erased = erased + 1
  end
end

for thread in pairs(changed) do
  redis.call('INCR', prefix .. 'thread:' .. thread .. ':version')
end
if dequeued > 0 then
  local stats = open_stats(prefix, o.stats)
  local after = tonumber(redis.call('GET', KEYS[2]))
  stats:depth(after + dequeued, after)
  stats:close()
end
redis.call('HSET', KEYS[6], 'cursor', o.to, 'runner', o.runner, 'lease_until', o.now + o.lease_ms,
           'stepped_at', o.now)
redis.call('HSETNX', KEYS[6], 'started_at', o.now)
redis.call('HINCRBY', KEYS[6], 'erased', erased)
return erased
