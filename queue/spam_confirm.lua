-- Empty the spam list, a batch at a time: each comment on it becomes
-- rejected as spam, exactly once, with its own audit entry. Call again
-- while it returns a full batch.
--
-- KEYS[1] spam list   KEYS[2] decided set   KEYS[3] audit stream
-- ARGV[1] comment key prefix   ARGV[2] moderator   ARGV[3] now, ms
-- ARGV[4] audit max length   ARGV[5] batch size
-- Returns the ids rejected in this batch.

local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[5]) - 1)
for _, id in ipairs(ids) do
  local key = ARGV[1] .. id
  local c = redis.call('HMGET', key, 'status', 'thread')
  redis.call('ZREM', KEYS[1], id)
  if c[1] == 'spam' then
    redis.call('HSET', key, 'status', 'rejected', 'decided_by', ARGV[2], 'decided_at', ARGV[3], 'reason', 'spam')
    redis.call('ZADD', KEYS[2], ARGV[3], id)
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*',
      'action', 'rejected', 'id', id, 'thread', c[2], 'moderator', ARGV[2], 'at', ARGV[3], 'reason', 'spam')
  end
end
return ids
