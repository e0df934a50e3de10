-- Edit a pending comment's body before deciding it; the original goes to the audit log.
--
-- KEYS[1] comment hash   KEYS[2] audit stream   KEYS[3] the comment's claim
-- ARGV[1] moderator   ARGV[2] now, ms   ARGV[3] new body   ARGV[4] audit max length
-- ARGV[5] comment id  ARGV[6] '1' to edit even if another moderator claimed it
--
-- Returns {'ok'}, {'unchanged'}, {'missing'}, {'claimed', moderator}, or
-- {'decided', status, by, at}.

local c = redis.call('HMGET', KEYS[1], 'status', 'thread', 'body', 'decided_by', 'decided_at')
if not c[1] then
  return {'missing'}
end
if c[1] ~= 'pending' then
  return {'decided', c[1], c[4] or '', c[5] or ''}
end
local claimant = redis.call('GET', KEYS[3])
if claimant and claimant ~= ARGV[1] and ARGV[6] ~= '1' then
  return {'claimed', claimant}
end
if c[3] == ARGV[3] then
  return {'unchanged'}
end
redis.call('HSET', KEYS[1], 'body', ARGV[3], 'edited_by', ARGV[1], 'edited_at', ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*',
  'action', 'edited', 'id', ARGV[5], 'thread', c[2], 'moderator', ARGV[1], 'at', ARGV[2], 'original', c[3])
return {'ok'}
