-- One attempt to deliver a message to a webhook endpoint: its line in the endpoint's delivery log (the
-- attempts counted up), the log kept to its latest entries, and the site's delivery counts.
--
-- KEYS[1] the endpoint's hash   KEYS[2] its log (hash: webhook-id -> JSON)
-- KEYS[3] its log's order (sorted set: webhook-id -> first attempt, ms)   KEYS[4] the site's delivery counts
-- ARGV[1] webhook-id   ARGV[2] event type   ARGV[3] comment id   ARGV[4] HTTP status ('' none)
-- ARGV[5] error ('' none)   ARGV[6] 'sent' or 'failed'   ARGV[7] now (ms)   ARGV[8] entries kept
--
-- Returns the attempts so far, or 0 when the endpoint was deleted meanwhile (its log is not written again).

redis.call('HINCRBY', KEYS[4], ARGV[6], 1)
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local line = {attempts = 0, first_at = tonumber(ARGV[7])}
local known = redis.call('HGET', KEYS[2], ARGV[1])
if known then
  line = cjson.decode(known)
end
line.attempts = line.attempts + 1
line.event = ARGV[2]
line.comment = ARGV[3]
line.status = ARGV[4]
line.error = ARGV[5]
line.outcome = ARGV[6]
line.at = tonumber(ARGV[7])
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(line))
redis.call('ZADD', KEYS[3], 'NX', line.first_at, ARGV[1])
local beyond = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[8])
if beyond > 0 then
  local oldest = redis.call('ZRANGE', KEYS[3], 0, beyond - 1)
  redis.call('HDEL', KEYS[2], unpack(oldest))
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, beyond - 1)
end
return line.attempts
