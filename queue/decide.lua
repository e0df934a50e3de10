-- Decide a pending comment: approve or reject it, exactly once.
--
-- KEYS[1] comment hash      KEYS[2] site's pending set
-- KEYS[3] pending count per thread   KEYS[4] decided set (by decision time)
-- KEYS[5] audit stream      KEYS[6] event stream   KEYS[7] the comment's claim
-- ARGV[1] key prefix of the site (thread and commenter sets are built from it)
-- ARGV[2] new status: approved or rejected
-- ARGV[3] moderator   ARGV[4] now, ms since the epoch   ARGV[5] reason
-- ARGV[6] audit stream max length   ARGV[7] event stream max length
-- ARGV[8] comment id   ARGV[9] '1' to decide even if another moderator claimed it
-- ARGV[10] new body, or '' to keep it (an edit made while approving)
--
-- Returns {'ok'}, {'missing'}, {'claimed', moderator} when another
-- moderator holds the claim, or {'decided', status, by, at} when another
-- decision came first. Nothing changes unless the answer is 'ok'.

local c = redis.call('HMGET', KEYS[1], 'status', 'thread', 'created_at', 'decided_by', 'decided_at', 'email', 'body')
if not c[1] then
  return {'missing'}
end
if c[1] ~= 'pending' then
  return {'decided', c[1], c[4] or '', c[5] or ''}
end
local claimant = redis.call('GET', KEYS[7])
if claimant and claimant ~= ARGV[3] and ARGV[9] ~= '1' then
  return {'claimed', claimant}
end

local thread, created_at, id, prefix = c[2], c[3], ARGV[8], ARGV[1]
local edited = ARGV[10] ~= '' and ARGV[10] ~= c[7]
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'decided_by', ARGV[3], 'decided_at', ARGV[4], 'reason', ARGV[5])
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', prefix .. 'thread:' .. thread .. ':pending', id)
redis.call('ZREM', prefix .. 'email:' .. string.lower(c[6] or '') .. ':pending', id)
if tonumber(redis.call('ZINCRBY', KEYS[3], -1, thread)) <= 0 then
  redis.call('ZREM', KEYS[3], thread)
end
if ARGV[2] == 'approved' then
  redis.call('ZADD', prefix .. 'thread:' .. thread .. ':published', created_at, id)
  redis.call('INCR', prefix .. 'thread:' .. thread .. ':version')
  redis.call('INCR', prefix .. 'email:' .. string.lower(c[6] or '') .. ':approved')
end
redis.call('ZADD', KEYS[4], ARGV[4], id)
redis.call('DEL', KEYS[7])
if edited then
  redis.call('HSET', KEYS[1], 'body', ARGV[10], 'edited_by', ARGV[3], 'edited_at', ARGV[4])
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[6], '*',
    'action', 'edited', 'id', id, 'thread', thread, 'moderator', ARGV[3], 'at', ARGV[4], 'original', c[7])
end
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[6], '*',
  'action', ARGV[2], 'id', id, 'thread', thread, 'moderator', ARGV[3], 'at', ARGV[4], 'reason', ARGV[5])
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[7], '*', 'type', ARGV[2], 'id', id, 'thread', thread,
  'moderator', ARGV[3])
return {'ok'}
