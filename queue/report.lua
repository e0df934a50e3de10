-- A reader reports a published comment; or a moderator keeps one that was reported.
--
-- Reports come without accounts or cookies, so a reader is known by the
-- network they write from (IPv4 /24, IPv6 /48): one report per network per
-- comment counts, however many addresses of a botnet's block send one. A
-- counted report enters the comment in the Reported queue (scored by report
-- count, then recency); once a moderator kept it, it comes back only when
-- its count passes twice what it was then. With hide_at, a comment that many
-- reports name leaves its thread until a moderator looks (kept: back in
-- place; removed: remove.lua).
--
-- KEYS[1] comment hash   KEYS[2] Reported queue (sorted set)   KEYS[3] audit stream
-- ARGV[1] JSON options: prefix (of the site's keys), action ('report' or
--         'keep'), id, now (ms, a string); to report: thread (the page's),
--         network, reason, note, limits ({key, most, seconds left in its
--         window}: per address), hide_at (0: off); to keep: moderator,
--         audit_max
--
-- Returns {'counted'}, {'again'} (this network reported it before: nothing
-- counted), {'limited', retry_after}, {'not_published'}, or for keep
-- {'kept'} and {'not_reported'}.

local o = cjson.decode(ARGV[1])
local id, prefix = o.id, o.prefix
local c = redis.call('HMGET', KEYS[1], 'status', 'thread', 'reports', 'reports_kept_at', 'hidden', 'created_at')
local published = c[2] and (prefix .. 'thread:' .. c[2] .. ':published')
local version = c[2] and (prefix .. 'thread:' .. c[2] .. ':version')

if o.action == 'keep' then
  if redis.call('ZREM', KEYS[2], id) == 0 then
    return {'not_reported'}
  end
  redis.call('HSET', KEYS[1], 'reports_kept_at', c[3] or '0')
  if c[5] == '1' then
    redis.call('HDEL', KEYS[1], 'hidden')
    if c[1] == 'approved' then
      redis.call('ZADD', published, c[6], id)
      redis.call('INCR', version)
    end
  end
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', o.audit_max, '*', 'action', 'reports_dismissed', 'id', id,
    'thread', c[2], 'moderator', o.moderator, 'at', o.now, 'reason', c[3] or '0')
  return {'kept'}
end

if c[1] ~= 'approved' or c[2] ~= o.thread or c[5] == '1' then
  return {'not_published'}
end
for _, limit in ipairs(o.limits) do
  if tonumber(redis.call('GET', limit[1]) or '0') >= limit[2] then
    return {'limited', limit[3]}
  end
end
for _, limit in ipairs(o.limits) do
  if redis.call('INCR', limit[1]) == 1 then
    redis.call('EXPIRE', limit[1], limit[3])
  end
end
if redis.call('SADD', prefix .. 'reports:' .. id .. ':networks', o.network) == 0 then
  return {'again'}
end
local count = redis.call('HINCRBY', KEYS[1], 'reports', 1)
local reports = prefix .. 'reports:' .. id
redis.call('LPUSH', reports, cjson.encode({reason = o.reason, note = o.note, at = o.now}))
redis.call('LTRIM', reports, 0, 99)
local kept_at = tonumber(c[4] or '0')
if count > 2 * kept_at then
  redis.call('ZADD', KEYS[2], count * 1e13 + tonumber(o.now), id)
  if o.hide_at > 0 and count >= o.hide_at then
    redis.call('HSET', KEYS[1], 'hidden', '1')
    if redis.call('ZREM', published, id) == 1 then
      redis.call('INCR', version)
    end
  end
end
return {'counted'}
