-- Forget the client addresses and user agents of comments decided long ago
-- (IP_RETENTION_DAYS), a batch at a time, from where the last run stopped.
--
-- The mark is the decision time reached, taken inclusively: comments decided
-- in that same millisecond are looked at again (forgetting is idempotent), so
-- none is skipped where a batch ends among equal times.
--
-- KEYS[1] decided set (by decision time)   KEYS[2] how far this has gone (ms)
-- ARGV[1] comment key prefix   ARGV[2] cutoff: decided at or before, ms
-- ARGV[3] batch size
-- Returns {comments looked at, decision time reached (ms, '' for none)}:
-- call again while the batch comes back full.

local since = redis.call('GET', KEYS[2]) or '-inf'
local rows = redis.call('ZRANGEBYSCORE', KEYS[1], since, ARGV[2], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
local reached = ''
for i = 1, #rows, 2 do
  redis.call('HDEL', ARGV[1] .. rows[i], 'ip', 'user_agent')
  reached = rows[i + 1]
end
if reached ~= '' then
  redis.call('SET', KEYS[2], reached)
end
return {#rows / 2, reached}
