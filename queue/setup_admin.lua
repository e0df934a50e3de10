-- First run: create the first admin through the one-time setup link.
--
-- KEYS[1] setup token (SHA-256 of the link's token)   KEYS[2] moderators
-- KEYS[3] the new admin's hash   KEYS[4] audit stream
-- ARGV[1] SHA-256 of the token presented   ARGV[2] name   ARGV[3] password hash
-- ARGV[4] now, ms   ARGV[5] audit max length
-- Returns {'ok'} or {'invalid'} (wrong, used or expired link, or a moderator exists).

local expected = redis.call('GET', KEYS[1])
if not expected or expected ~= ARGV[1] or redis.call('HLEN', KEYS[2]) > 0 then
  return {'invalid'}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[2], 'admin')
redis.call('HSET', KEYS[3], 'name', ARGV[2], 'role', 'admin', 'password', ARGV[3], 'created_at', ARGV[4], 'epoch', 0)
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*',
  'action', 'moderator_created', 'moderator', ARGV[2], 'at', ARGV[4], 'reason', ARGV[2] .. ' (admin, setup link)')
return {'ok'}
