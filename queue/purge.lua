-- Forget decided comments older than the retention period, a batch at a
-- time: a rejected comment is deleted; an approved one stays published and
-- only leaves the decided set. Call again while it returns a full batch.
--
-- KEYS[1] decided set (by decision time)
-- ARGV[1] comment key prefix   ARGV[2] cutoff: decided at or before, ms
-- ARGV[3] batch size
-- Returns {ids taken from the decided set, rejected comments deleted}.

local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local deleted = 0
for _, id in ipairs(ids) do
  local key = ARGV[1] .. id
  if redis.call('HGET', key, 'status') == 'rejected' then
    deleted = deleted + redis.call('DEL', key)
  end
  redis.call('ZREM', KEYS[1], id)
end
return {#ids, deleted}
