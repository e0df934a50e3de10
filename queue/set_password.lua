-- Change a moderator's password and end every session they have open.
--
-- KEYS[1] the moderator's hash   KEYS[2] audit stream
-- ARGV[1] password hash   ARGV[2] who changes it   ARGV[3] now, ms
-- ARGV[4] audit max length   ARGV[5] name
-- Returns {'ok'} or {'missing'}.

if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'missing'}
end
redis.call('HSET', KEYS[1], 'password', ARGV[1])
-- Sessions carry the epoch they began in; a new epoch ends the old ones.
redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*',
  'action', 'password_changed', 'moderator', ARGV[2], 'at', ARGV[3], 'reason', ARGV[5])
return {'ok'}
