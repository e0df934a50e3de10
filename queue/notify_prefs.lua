-- Save what mail a moderator wants, only while the account exists (never recreate a removed one).
--
-- KEYS[1] the moderator's hash
-- ARGV[1] email ('' none)   ARGV[2] alerts ('each', 'digest' or 'none')   ARGV[3] digest minutes
--
-- Returns 1, or 0 when there is no such moderator.

if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'email', ARGV[1], 'alerts', ARGV[2], 'digest_minutes', ARGV[3])
return 1
