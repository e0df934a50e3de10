-- Rescue a comment from the spam list: back into the moderation queue.
--
-- KEYS[1] comment hash   KEYS[2] spam list   KEYS[3] site's pending ids (bitmap)
-- KEYS[4] pending count per thread   KEYS[5] audit stream   KEYS[6] event stream
-- KEYS[7] how many comments are pending
-- ARGV[1] key prefix of the site   ARGV[2] moderator   ARGV[3] now, ms
-- ARGV[4] audit max length   ARGV[5] event max length   ARGV[6] comment id
-- ARGV[7] JSON: lib/stats.lua's stats (a rescue is a false alarm of the door)
-- Returns {'ok'}, {'missing'}, or {'decided', status, by, at} when it is not on the spam list.
-- uses lib/stats.lua

local c = redis.call('HMGET', KEYS[1], 'status', 'thread', 'created_at', 'email', 'decided_by', 'decided_at')
if not c[1] then
  return {'missing'}
end
if c[1] ~= 'spam' then
  return {'decided', c[1], c[5] or '', c[6] or ''}
end
local thread, created_at, id, prefix = c[2], c[3], ARGV[6], ARGV[1]
redis.call('HSET', KEYS[1], 'status', 'pending', 'held', '1')
redis.call('ZREM', KEYS[2], id)
local stats = open_stats(prefix, cjson.decode(ARGV[7]))
if redis.call('SETBIT', KEYS[3], id, 1) == 0 then
  local depth = redis.call('INCR', KEYS[7])
  stats:depth(depth - 1, depth)
end
stats:add('rescued', 1)
stats:close()
redis.call('ZADD', prefix .. 'thread:' .. thread .. ':pending', created_at, id)
redis.call('ZADD', prefix .. 'email:' .. string.lower(c[4] or '') .. ':pending', created_at, id)
redis.call('ZINCRBY', KEYS[4], 1, thread)
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[4], '*',
  'action', 'rescued', 'id', id, 'thread', thread, 'moderator', ARGV[2], 'at', ARGV[3])
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[5], '*', 'type', 'submitted', 'id', id, 'thread', thread)
return {'ok'}
