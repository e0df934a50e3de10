-- Return a decided comment to the queue (undo an approval or a rejection).
--
-- KEYS[1] comment hash      KEYS[2] site's pending ids (bitmap)
-- KEYS[3] pending count per thread   KEYS[4] decided set
-- KEYS[5] audit stream      KEYS[6] event stream
-- KEYS[7] how many comments are pending
-- ARGV[1] key prefix of the site   ARGV[2] moderator
-- ARGV[3] now, ms   ARGV[4] '1' if the moderator is an admin (any decision, any time)
-- ARGV[5] undo window, ms (for the moderator who decided)
-- ARGV[6] audit max length   ARGV[7] event max length   ARGV[8] comment id
-- ARGV[9] JSON: what the learned filter forgets, if the comment still has
--         the status it was learned from: label, status, tokens_key,
--         documents_key, tokens = {id: [token, ...]}; {} when nothing
-- ARGV[10] JSON: lib/stats.lua's stats
--
-- Returns {'ok', previous status}, {'missing'}, {'pending'} (nothing to
-- undo), {'removed'} (taken down after publication: only an admin's restore
-- brings it back, never an undo) or {'forbidden', by, at} (someone else's
-- decision, or too late).
-- uses lib/stats.lua

local c = redis.call('HMGET', KEYS[1], 'status', 'thread', 'created_at', 'decided_by', 'decided_at', 'email')
if not c[1] then
  return {'missing'}
end
if c[1] == 'pending' then
  return {'pending'}
end
if c[1] == 'removed' then
  return {'removed'}
end
local admin = ARGV[4] == '1'
local own_and_recent = c[4] == ARGV[2] and tonumber(ARGV[3]) - tonumber(c[5] or 0) <= tonumber(ARGV[5])
if not (admin or own_and_recent) then
  return {'forbidden', c[4] or '', c[5] or ''}
end

local thread, created_at, id, prefix = c[2], c[3], ARGV[8], ARGV[1]
redis.call('HSET', KEYS[1], 'status', 'pending')
redis.call('HDEL', KEYS[1], 'decided_by', 'decided_at', 'reason')
local stats = open_stats(prefix, cjson.decode(ARGV[10]))
if redis.call('SETBIT', KEYS[2], id, 1) == 0 then
  local depth = redis.call('INCR', KEYS[7])
  stats:depth(depth - 1, depth)
end
stats:add('by:undone:' .. ARGV[2], 1)
stats:close()
redis.call('ZADD', prefix .. 'thread:' .. thread .. ':pending', created_at, id)
redis.call('ZADD', prefix .. 'email:' .. string.lower(c[6] or '') .. ':pending', created_at, id)
redis.call('ZINCRBY', KEYS[3], 1, thread)
if redis.call('ZREM', prefix .. 'thread:' .. thread .. ':published', id) == 1 then
  redis.call('INCR', prefix .. 'thread:' .. thread .. ':version')
  redis.call('DECR', prefix .. 'email:' .. string.lower(c[6] or '') .. ':approved')
end
redis.call('ZREM', KEYS[4], id)
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[6], '*',
  'action', 'undone', 'id', id, 'thread', thread, 'moderator', ARGV[2], 'at', ARGV[3], 'reason', c[1])
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[7], '*', 'type', 'undone', 'id', id, 'thread', thread,
  'moderator', ARGV[2])
local forget = cjson.decode(ARGV[9])
local tokens = forget.tokens and forget.status == c[1] and forget.tokens[id]
if tokens then
  for _, token in ipairs(tokens) do
    redis.call('HINCRBY', forget.tokens_key, token, -1)
  end
  redis.call('HINCRBY', forget.documents_key, forget.label, -1)
end
return {'ok', c[1]}
