-- Decide a pending comment: approve or reject it, exactly once.
--
-- KEYS[1] comment hash      KEYS[2] site's pending set
-- KEYS[3] pending count per thread   KEYS[4] decided set (by decision time)
-- KEYS[5] audit stream      KEYS[6] event stream
-- ARGV[1] thread key prefix (the thread and a suffix are appended)
-- ARGV[2] new status: approved or rejected
-- ARGV[3] moderator   ARGV[4] now, ms since the epoch   ARGV[5] reason
-- ARGV[6] audit stream max length   ARGV[7] event stream max length
-- ARGV[8] comment id
--
-- Returns {'ok'}, {'missing'}, or {'decided', status, by, at} when another
-- decision came first (nothing is changed then).

local c = redis.call('HMGET', KEYS[1], 'status', 'thread', 'created_at', 'decided_by', 'decided_at')
if not c[1] then
  return {'missing'}
end
if c[1] ~= 'pending' then
  return {'decided', c[1], c[4] or '', c[5] or ''}
end

local thread, created_at, id = c[2], c[3], ARGV[8]
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'decided_by', ARGV[3], 'decided_at', ARGV[4], 'reason', ARGV[5])
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', ARGV[1] .. thread .. ':pending', id)
if tonumber(redis.call('ZINCRBY', KEYS[3], -1, thread)) <= 0 then
  redis.call('ZREM', KEYS[3], thread)
end
if ARGV[2] == 'approved' then
  redis.call('ZADD', ARGV[1] .. thread .. ':published', created_at, id)
end
redis.call('ZADD', KEYS[4], ARGV[4], id)
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[6], '*',
  'action', ARGV[2], 'id', id, 'thread', thread, 'moderator', ARGV[3], 'at', ARGV[4], 'reason', ARGV[5])
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[7], '*', 'type', ARGV[2], 'id', id, 'thread', thread)
return {'ok'}
