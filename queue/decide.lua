-- Decide pending comments: approve or reject each, exactly once.
--
-- One comment, a moderator's selection, or a whole spam wave: every comment
-- is moved in this one step, and each gets its own audit entry.
--
-- KEYS[1] site's pending ids (bitmap)   KEYS[2] pending count per thread
-- KEYS[3] decided set (by decision time)   KEYS[4] audit stream   KEYS[5] event stream
-- KEYS[6] how many comments are pending
-- ARGV[1] JSON options: prefix (of the site's keys), status ('approved' or
--         'rejected'), moderator, now (ms, a string), reason, audit_max,
--         events_max, force (decide even if another moderator claimed it),
--         body (new text for a single comment, '' to keep it: the original
--         goes to the audit log), wave ('' or the wave's feature: rejecting
--         it sends its later members to spam), wave_seconds, and learn
--         (optional: what the learned filter learns of each comment decided:
--         label, tokens_key, documents_key, tokens = {id: [token, ...]}),
--         stats (lib/stats.lua's, and slipped: true when a rejection says
--         the comment was spam the door let in)
-- ARGV[2..] comment ids
--
-- Returns one answer per id, in order: {'ok'}, {'missing'},
-- {'claimed', moderator} when another moderator holds the claim, or
-- {'decided', status, by, at} when another decision came first. Nothing
-- changes for a comment unless its answer is 'ok'.
-- uses lib/stats.lua

local o = cjson.decode(ARGV[1])
local prefix, now = o.prefix, o.now
local answers = {}
local stats, left_queue = open_stats(prefix, o.stats), 0

for i = 2, #ARGV do
  local id = ARGV[i]
  local key = prefix .. 'comment:' .. id
  local claim = prefix .. 'claim:' .. id
  local c = redis.call('HMGET', key, 'status', 'thread', 'created_at', 'decided_by', 'decided_at', 'email', 'body',
    'source')
  local claimant = c[1] and redis.call('GET', claim)
  if not c[1] then
    answers[#answers + 1] = {'missing'}
  elseif c[1] ~= 'pending' then
    answers[#answers + 1] = {'decided', c[1], c[4] or '', c[5] or ''}
  elseif claimant and claimant ~= o.moderator and not o.force then
    answers[#answers + 1] = {'claimed', claimant}
  else
    local thread, created_at, email = c[2], c[3], string.lower(c[6] or '')
    redis.call('HSET', key, 'status', o.status, 'decided_by', o.moderator, 'decided_at', now, 'reason', o.reason)
    if redis.call('SETBIT', KEYS[1], id, 0) == 1 then
      redis.call('DECR', KEYS[6])
      left_queue = left_queue + 1
    end
    redis.call('ZREM', prefix .. 'thread:' .. thread .. ':pending', id)
    redis.call('ZREM', prefix .. 'email:' .. email .. ':pending', id)
    if tonumber(redis.call('ZINCRBY', KEYS[2], -1, thread)) <= 0 then
      redis.call('ZREM', KEYS[2], thread)
    end
    if o.status == 'approved' then
      redis.call('ZADD', prefix .. 'thread:' .. thread .. ':published', created_at, id)
      redis.call('INCR', prefix .. 'thread:' .. thread .. ':version')
      redis.call('INCR', prefix .. 'email:' .. email .. ':approved')
    end
    redis.call('ZADD', KEYS[3], now, id)
    redis.call('DEL', claim)
    if o.body ~= '' and o.body ~= c[7] then
      redis.call('HSET', key, 'body', o.body, 'edited_by', o.moderator, 'edited_at', now)
      redis.call('XADD', KEYS[4], 'MAXLEN', '~', o.audit_max, '*',
        'action', 'edited', 'id', id, 'thread', thread, 'moderator', o.moderator, 'at', now, 'original', c[7])
    end
    redis.call('XADD', KEYS[4], 'MAXLEN', '~', o.audit_max, '*',
      'action', o.status, 'id', id, 'thread', thread, 'moderator', o.moderator, 'at', now, 'reason', o.reason)
    redis.call('XADD', KEYS[5], 'MAXLEN', '~', o.events_max, '*', 'type', o.status, 'id', id, 'thread', thread,
      'moderator', o.moderator)
    local tokens = o.learn and o.learn.tokens[id]
    if tokens then
      for _, token in ipairs(tokens) do
        redis.call('HINCRBY', o.learn.tokens_key, token, 1)
      end
      redis.call('HINCRBY', o.learn.documents_key, o.learn.label, 1)
    end
    stats:add('decided', 1)
    stats:add('by:' .. o.status .. ':' .. o.moderator, 1)
    if not c[8] then  -- an imported comment's wait began on the old site, long before this one
      stats:waited(tonumber(now) - tonumber(created_at))
    end
    if o.status == 'rejected' and o.stats.slipped then
      stats:add('slipped', 1)
    end
    answers[#answers + 1] = {'ok'}
  end
end
if left_queue > 0 then
  local after = tonumber(redis.call('GET', KEYS[6]) or '0')
  stats:depth(after + left_queue, after)
end
stats:close()

if o.wave ~= '' and o.status == 'rejected' then
  redis.call('SET', prefix .. 'wave-rejected:' .. o.wave, o.moderator, 'EX', o.wave_seconds)
end
return answers
