-- Queue a new comment for moderation, exactly once per form token.
--
-- KEYS[1] nonce key (the form token's nonce; holds the comment id)
-- KEYS[2] id counter            KEYS[3] site's pending set
-- KEYS[4] thread's pending set  KEYS[5] commenter's pending set
-- KEYS[6] pending count per thread   KEYS[7] event stream
-- ARGV[1] comment key prefix (the id is appended)
-- ARGV[2] nonce lifetime, seconds   ARGV[3] created_at, ms since the epoch
-- ARGV[4] event stream max length   ARGV[5] thread
-- ARGV[6..] field, value, ... of the comment hash
--
-- Returns {id, 1} for a new comment, {id, 0} when the nonce was seen before.

local seen = redis.call('GET', KEYS[1])
if seen then
  return {seen, 0}
end

local id = redis.call('INCR', KEYS[2])
local fields = {}
for i = 6, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', ARGV[1] .. id, 'id', id, 'status', 'pending', 'created_at', ARGV[3], unpack(fields))
redis.call('ZADD', KEYS[3], ARGV[3], id)
redis.call('ZADD', KEYS[4], ARGV[3], id)
redis.call('ZADD', KEYS[5], ARGV[3], id)
redis.call('ZINCRBY', KEYS[6], 1, ARGV[5])
redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[4], '*', 'type', 'submitted', 'id', id, 'thread', ARGV[5])
redis.call('SET', KEYS[1], id, 'EX', ARGV[2])
return {tostring(id), 1}
