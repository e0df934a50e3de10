-- An admin turns a webhook endpoint on or off, only while it exists (never recreate a deleted one), audited.
--
-- KEYS[1] the endpoint's hash   KEYS[2] audit stream
-- ARGV[1] '1' on, '0' off   ARGV[2] the admin   ARGV[3] now (ms)   ARGV[4] audit max length
-- ARGV[5] the endpoint's id
--
-- Returns 1, or 0 when there is no such endpoint.

if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'enabled', ARGV[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'action',
  ARGV[1] == '1' and 'webhook_enabled' or 'webhook_disabled', 'moderator', ARGV[2], 'at', ARGV[3], 'webhook', ARGV[5])
return 1
