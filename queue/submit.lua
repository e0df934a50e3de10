-- Take in a new comment, exactly once per form token: into the moderation
-- queue, straight to the spam list, or (a trusted commenter) published.
--
-- KEYS[1]  the thread's recent form-token nonces (hash: nonce → id)
-- KEYS[2]  id counter             KEYS[3]  site's pending ids (bitmap)
-- KEYS[4]  thread's pending set   KEYS[5]  commenter's pending set
-- KEYS[6]  pending count per thread
-- KEYS[7]  event stream           KEYS[8]  audit stream
-- KEYS[9]  spam list              KEYS[10] thread's published set
-- KEYS[11] thread's version       KEYS[12] commenter's approved count
-- KEYS[13] flood guard of the client address ('' unused when off)
-- KEYS[14] the thread's recent duplicate digests (hash: digest of thread,
--          email and text → id)
-- KEYS[15] how many comments are pending
-- ARGV[1]  JSON options: comment_prefix, created_at (ms), nonce, digest
--          ('' none), nonce_seconds and duplicate_seconds (how long KEYS[1]
--          and KEYS[14] outlive the thread's last comment), events_max,
--          audit_max, thread, status ('review' or 'spam'), held (true: a
--          rule wants a closer look, never auto-approved), trust (approved
--          comments that make a commenter trusted, 0 off), flood_seconds
--          (0 off), reasons (text),
--          prefix (of the site's keys), waves (the features that may tie
--          it to a spam wave), wave_seconds (how long a wave is remembered),
--          limits (rate limits: {key, most, seconds left in its window})
-- ARGV[2]  JSON object: the comment's fields (an empty one is left out)
--
-- Returns {id, outcome, status, retry_after}: outcome 'created', 'seen'
-- (same nonce, nothing written), 'duplicate' (this text was sent before: its
-- id), 'flood' (too soon after the last one from this address: id '',
-- retry_after seconds until the address may send again) or 'limited' (a
-- rate limit is reached: retry_after seconds until it is not).

local o = cjson.decode(ARGV[1])

local seen = redis.call('HGET', KEYS[1], o.nonce)
if seen then
  -- Written again, so that a WAIT after this answer (REDIS_MIN_REPLICAS) waits for a replication
  -- offset past the comment it names: a retry must not be confirmed while the comment itself is not.
  redis.call('HSET', KEYS[1], o.nonce, seen)
  return {seen, 'seen', redis.call('HGET', o.comment_prefix .. seen, 'status') or '', 0}
end
for _, limit in ipairs(o.limits) do
  if tonumber(redis.call('GET', limit[1]) or '0') >= limit[2] then
    return {'', 'limited', '', limit[3]}
  end
end
local earlier = o.digest ~= '' and redis.call('HGET', KEYS[14], o.digest)
if earlier then
  return {earlier, 'duplicate', '', 0}
end
if o.flood_seconds > 0 then
  local wait = redis.call('TTL', KEYS[13])
  if wait >= 0 then
    return {'', 'flood', '', math.max(wait, 1)}
  end
end

-- A new member of a wave the moderators rejected goes to spam.
local wave = ''
for _, feature in ipairs(o.waves) do
  if redis.call('EXISTS', o.prefix .. 'wave-rejected:' .. feature) == 1 then
    wave = feature
    break
  end
end

local status = 'pending'
if o.status == 'spam' or wave ~= '' then
  status = 'spam'
elseif o.trust > 0 and not o.held and tonumber(redis.call('GET', KEYS[12]) or '0') >= o.trust then
  status = 'approved'
end

local id = redis.call('INCR', KEYS[2])
local key = o.comment_prefix .. id
local now = o.created_at  -- a string: Lua would print a large number in exponent form
local fields = {'id', id, 'status', status, 'created_at', now}
if wave ~= '' then
  fields[#fields + 1] = 'wave'
  fields[#fields + 1] = wave
end
for name, value in pairs(cjson.decode(ARGV[2])) do
  fields[#fields + 1] = name
  fields[#fields + 1] = value
end
redis.call('HSET', key, unpack(fields))

if status == 'pending' then
  redis.call('SETBIT', KEYS[3], id, 1)
  redis.call('INCR', KEYS[15])
  redis.call('ZADD', KEYS[4], now, id)
  redis.call('ZADD', KEYS[5], now, id)
  redis.call('ZINCRBY', KEYS[6], 1, o.thread)
  redis.call('XADD', KEYS[7], 'MAXLEN', '~', o.events_max, '*', 'type', 'submitted', 'id', id, 'thread', o.thread)
elseif status == 'spam' then
  local why = o.reasons
  if wave ~= '' then
    why = 'wave: ' .. wave
  end
  redis.call('ZADD', KEYS[9], now, id)
  redis.call('XADD', KEYS[8], 'MAXLEN', '~', o.audit_max, '*',
    'action', 'caught', 'id', id, 'thread', o.thread, 'moderator', '', 'at', now, 'reason', why)
else
  redis.call('HSET', key, 'decided_by', '', 'decided_at', now, 'reason', 'trusted')
  redis.call('ZADD', KEYS[10], now, id)
  redis.call('INCR', KEYS[11])
  redis.call('INCR', KEYS[12])
  redis.call('XADD', KEYS[8], 'MAXLEN', '~', o.audit_max, '*',
    'action', 'auto_approved', 'id', id, 'thread', o.thread, 'moderator', '', 'at', now, 'reason', 'trusted')
  redis.call('XADD', KEYS[7], 'MAXLEN', '~', o.events_max, '*', 'type', 'approved', 'id', id, 'thread', o.thread,
    'moderator', '')
end

-- Remember what ties it to others for a while: that is how waves are seen.
local since = tonumber(now) - o.wave_seconds * 1000
for _, feature in ipairs(o.waves) do
  local members = o.prefix .. 'wave:' .. feature
  redis.call('ZADD', members, now, id)
  redis.call('ZREMRANGEBYSCORE', members, '-inf', '(' .. since)
  redis.call('EXPIRE', members, o.wave_seconds)
  redis.call('ZADD', o.prefix .. 'waves', now, feature)
end
if #o.waves > 0 then
  redis.call('ZREMRANGEBYSCORE', o.prefix .. 'waves', '-inf', '(' .. since)
end

redis.call('HSET', KEYS[1], o.nonce, id)
redis.call('EXPIRE', KEYS[1], o.nonce_seconds)
if o.digest ~= '' then
  redis.call('HSET', KEYS[14], o.digest, id)
  redis.call('EXPIRE', KEYS[14], o.duplicate_seconds)
end
if o.flood_seconds > 0 then
  redis.call('SET', KEYS[13], id, 'EX', o.flood_seconds)
end
for _, limit in ipairs(o.limits) do
  if redis.call('INCR', limit[1]) == 1 then
    redis.call('EXPIRE', limit[1], limit[3])
  end
end
return {tostring(id), 'created', status, 0}
