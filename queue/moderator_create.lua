-- Create a moderator account, unless the name is taken.
--
-- KEYS[1] moderators (name -> role)   KEYS[2] the moderator's hash   KEYS[3] audit stream
-- ARGV[1] name   ARGV[2] role   ARGV[3] password hash   ARGV[4] now, ms
-- ARGV[5] who creates it   ARGV[6] audit max length
-- Returns {'ok'} or {'exists'}.

if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return {'exists'}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], 'name', ARGV[1], 'role', ARGV[2], 'password', ARGV[3], 'created_at', ARGV[4], 'epoch', 0)
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*',
  'action', 'moderator_created', 'moderator', ARGV[5], 'at', ARGV[4], 'reason', ARGV[1] .. ' (' .. ARGV[2] .. ')')
return {'ok'}
