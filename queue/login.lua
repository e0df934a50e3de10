-- A successful login: open a session, clear the account's failures, audit it.
--
-- KEYS[1] the new session   KEYS[2] the account's failure counter
-- KEYS[3] the moderator's hash   KEYS[4] audit stream
-- ARGV[1] name   ARGV[2] idle timeout, ms   ARGV[3] now, ms
-- ARGV[4] client address   ARGV[5] audit max length
-- Returns {'ok'} or {'missing'} (the account was removed meanwhile).

local epoch = redis.call('HGET', KEYS[3], 'epoch')
if not epoch then
  return {'missing'}
end
redis.call('SET', KEYS[1], ARGV[1] .. '\n' .. epoch, 'PX', ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*',
  'action', 'login', 'moderator', ARGV[1], 'at', ARGV[3], 'ip', ARGV[4])
return {'ok'}
