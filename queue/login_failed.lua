-- A failed login: count it for the account and for the client address, audit it.
--
-- Fixed windows: the first failure starts a window of ARGV[1] seconds; the
-- counters expire with it.
-- KEYS[1] the account's failure counter   KEYS[2] the address's failure counter
-- KEYS[3] audit stream
-- ARGV[1] window, seconds   ARGV[2] name tried   ARGV[3] now, ms
-- ARGV[4] client address   ARGV[5] audit max length
-- Returns {account failures, address failures}.

local counts = {}
for i = 1, 2 do
  counts[i] = redis.call('INCR', KEYS[i])
  if counts[i] == 1 then
    redis.call('EXPIRE', KEYS[i], ARGV[1])
  end
end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*',
  'action', 'login_failed', 'moderator', ARGV[2], 'at', ARGV[3], 'ip', ARGV[4])
return counts
