-- Erase a batch of one commenter's comments (the right to erasure), or strip
-- them of everything that names the commenter.
--
-- Each id given is checked again here: only a comment that still carries the
-- address is touched, so a batch run twice (after a crash) or racing a
-- decision leaves nothing behind and touches nobody else. Deleting takes the
-- comment out of every index (the queue, its thread's and the site's sets,
-- the spam list, the decided set, its duplicate guard) and raises the
-- version of a thread it was published in; keeping the text renames the
-- author "Deleted" and removes email, IP, user agent and website. The
-- commenter's own pending index and trust counter go with the last batch.
--
-- KEYS[1] site's pending ids (bitmap)   KEYS[2] how many are pending
-- KEYS[3] pending count per thread   KEYS[4] decided set   KEYS[5] spam list
-- ARGV[1] JSON options: prefix (of the site's keys), email (lower-cased as
--         the keys are), keep_text, last (true: the commenter's own keys go
--         too), digests ({id: its duplicate guard's field})
-- ARGV[2..] comment ids
--
-- Returns how many comments it erased (or stripped).

local o = cjson.decode(ARGV[1])
local prefix, erased, changed = o.prefix, 0, {}

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
if o.last then
  redis.call('DEL', prefix .. 'email:' .. o.email .. ':pending', prefix .. 'email:' .. o.email .. ':approved')
end
return erased
