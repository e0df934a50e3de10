-- Remove a moderator account; never the last admin.
--
-- KEYS[1] moderators   KEYS[2] the moderator's hash   KEYS[3] audit stream
-- ARGV[1] name   ARGV[2] who removes it   ARGV[3] now, ms   ARGV[4] audit max length
-- Returns {'ok'}, {'missing'} or {'last-admin'}. Their sessions end with
-- the account: loading a session finds no moderator.

local role = redis.call('HGET', KEYS[1], ARGV[1])
if not role then
  return {'missing'}
end
if role == 'admin' then
  local admins = 0
  for _, r in ipairs(redis.call('HVALS', KEYS[1])) do
    if r == 'admin' then
      admins = admins + 1
    end
  end
  if admins <= 1 then
    return {'last-admin'}
  end
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*',
  'action', 'moderator_removed', 'moderator', ARGV[2], 'at', ARGV[3], 'reason', ARGV[1])
return {'ok'}
