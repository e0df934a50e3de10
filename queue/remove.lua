-- Take down a published comment (any moderator, at any time), or put one back (admins).
--
-- Removing unpublishes the comment and raises its thread's version, so ETags
-- and rendered pages change at once. Where published replies hang under it
-- and placeholders are on, it stays in its thread's published set with
-- status 'removed': the pages show "removed by a moderator" in its place,
-- and nothing of what it said. It is kept (never purged by retention) so
-- that an admin can restore it. Restoring publishes it again.
--
-- KEYS[1] comment hash   KEYS[2] audit stream   KEYS[3] event stream
-- ARGV[1] JSON options: prefix (of the site's keys), action ('remove' or
--         'restore'), moderator, now (ms, a string), reason, placeholder
--         (true: keep its place where replies hang under it), audit_max,
--         events_max, id, stats (lib/stats.lua's)
--
-- Returns {'ok'}, {'missing'}, or {'status', its status} when it is not
-- published (remove) or not removed (restore): nothing changes then.

-- uses lib/stats.lua
local o = cjson.decode(ARGV[1])
local id, prefix, now = o.id, o.prefix, o.now
local c = redis.call('HMGET', KEYS[1], 'status', 'thread', 'created_at')
if not c[1] then
  return {'missing'}
end
local wanted = o.action == 'remove' and 'approved' or 'removed'
if c[1] ~= wanted then
  return {'status', c[1]}
end
local thread, created_at = c[2], c[3]
local published = prefix .. 'thread:' .. thread .. ':published'

if o.action == 'remove' then
  redis.call('HSET', KEYS[1], 'status', 'removed', 'removed_by', o.moderator, 'removed_at', now,
    'removed_reason', o.reason)
  redis.call('HDEL', KEYS[1], 'hidden')
  redis.call('ZREM', prefix .. 'reported', id)  -- a moderator has looked: it leaves the Reported queue
  local replied = false
  if o.placeholder then
    for _, other in ipairs(redis.call('ZRANGE', published, 0, -1)) do
      if redis.call('HGET', prefix .. 'comment:' .. other, 'parent') == id then
        replied = true
        break
      end
    end
  end
  if not replied then
    redis.call('ZREM', published, id)
  end
else
  redis.call('HSET', KEYS[1], 'status', 'approved')
  redis.call('HDEL', KEYS[1], 'removed_by', 'removed_at', 'removed_reason')
  redis.call('ZADD', published, created_at, id)
end
redis.call('INCR', prefix .. 'thread:' .. thread .. ':version')
local action = o.action == 'remove' and 'removed' or 'restored'
local stats = open_stats(prefix, o.stats)
stats:add('by:' .. action .. ':' .. o.moderator, 1)
stats:close()
redis.call('XADD', KEYS[2], 'MAXLEN', '~', o.audit_max, '*',
  'action', action, 'id', id, 'thread', thread, 'moderator', o.moderator, 'at', now, 'reason', o.reason)
redis.call('XADD', KEYS[3], 'MAXLEN', '~', o.events_max, '*', 'type', action, 'id', id, 'thread', thread,
  'moderator', o.moderator)
return {'ok'}
