-- An admin deletes a webhook endpoint with its delivery log, audited.
--
-- KEYS[1] the endpoint's hash   KEYS[2] the site's endpoints (sorted set)   KEYS[3] its log (hash)
-- KEYS[4] its log's order (sorted set)   KEYS[5] audit stream
-- ARGV[1] the endpoint's id   ARGV[2] the admin   ARGV[3] now (ms)   ARGV[4] audit max length
--
-- Returns 1, or 0 when there was no such endpoint (deleted already).

if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[4], '*',
  'action', 'webhook_deleted', 'moderator', ARGV[2], 'at', ARGV[3], 'webhook', ARGV[1])
return 1
