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
-- KEYS[16] threads closed or opened by a moderator (hash: thread → 'closed' or 'open')
-- KEYS[17] the site's threads (sorted set: thread → its first comment's time, ms)
-- ARGV[1]  JSON options: comment_prefix, created_at (ms), nonce, digest
--          ('' none), nonce_seconds and duplicate_seconds (how long KEYS[1]
--          and KEYS[14] outlive the thread's last comment), events_max,
--          audit_max, thread, status ('review' or 'spam'), held (true: a
--          rule wants a closer look, never auto-approved), trust (approved
--          comments that make a commenter trusted, 0 off), flood_seconds
--          (0 off), reasons (text),
--          prefix (of the site's keys), waves (the features that may tie
--          it to a spam wave), wave_seconds (how long a wave is remembered),
--          limits (rate limits: {key, most, seconds left in its window}),
--          reason_list (the reasons as a list, for the comment's signals),
--          and filter (optional: the learned filter's keys spam_key,
--          ham_key, documents_key, the comment's tokens, each once, and
--          bayes.py's constants threshold, min_documents, prior,
--          min_deviation, max_clues, floor, ceiling, reasons),
--          close_after_ms (0: threads close only when a moderator closes
--          them) and replay (true: taken in from the spool, written while
--          the thread was open), stats (lib/stats.lua's, and rules: the
--          rules whose signals it carries, caught: the trap or rule that
--          makes it spam, '' none)
-- ARGV[2]  JSON object: the comment's fields (an empty one is left out), among
--          them subscribe ("1": email its author when a reply is approved)
--
-- The learned filter scores the comment here, in the round trip that takes
-- it in: Robinson's token probabilities combined with Fisher's method, as
-- bayes.score does (tests/test_store.py holds the two to the same answers).
-- From the threshold on, the comment goes to spam, with the most telling
-- tokens as its reason; its score is stored in any case.
--
-- Returns {id, outcome, status, retry_after}: outcome 'created', 'seen'
-- (same nonce, nothing written), 'duplicate' (this text was sent before: its
-- id), 'flood' (too soon after the last one from this address: id '',
-- retry_after seconds until the address may send again), 'limited' (a
-- rate limit is reached: retry_after seconds until it is not) or 'closed'
-- (the thread takes no more comments).
-- uses lib/stats.lua

local o = cjson.decode(ARGV[1])

local seen = redis.call('HGET', KEYS[1], o.nonce)
if seen then
  -- Written again, so that a WAIT after this answer (REDIS_MIN_REPLICAS) waits for a replication
  -- offset past the comment it names: a retry must not be confirmed while the comment itself is not.
  redis.call('HSET', KEYS[1], o.nonce, seen)
  return {seen, 'seen', redis.call('HGET', o.comment_prefix .. seen, 'status') or '', 0}
end
if not o.replay then
  local state = redis.call('HGET', KEYS[16], o.thread)
  local first = state ~= 'open' and o.close_after_ms > 0 and redis.call('ZSCORE', KEYS[17], o.thread)
  if state == 'closed' or (first and tonumber(o.created_at) - tonumber(first) > o.close_after_ms) then
    return {'', 'closed', '', 0}
  end
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

-- P(X >= statistic) for X chi-squared with an even number of degrees of freedom.
local function chi2_survival(statistic, degrees)
  local half = statistic / 2
  local term = math.exp(-half)
  local total = term
  for i = 1, degrees / 2 - 1 do
    term = term * half / i
    total = total + term
  end
  return math.min(total, 1)
end

-- The filter's probability that the comment is spam (0.5: no opinion), and its most telling tokens.
local function filter_score(f)
  local docs = redis.call('HMGET', f.documents_key, 'spam', 'ham')
  local docs_spam, docs_ham = tonumber(docs[1]) or 0, tonumber(docs[2]) or 0
  if #f.tokens == 0 or math.min(docs_spam, docs_ham) < math.max(f.min_documents, 1) then
    return 0.5, {}
  end
  local spam = redis.call('HMGET', f.spam_key, unpack(f.tokens))
  local ham = redis.call('HMGET', f.ham_key, unpack(f.tokens))
  local clues = {}
  for i, token in ipairs(f.tokens) do
    -- Negative counts (an unlearn without its learn) read as none.
    local s, h = math.max(tonumber(spam[i]) or 0, 0), math.max(tonumber(ham[i]) or 0, 0)
    if s > 0 or h > 0 then
      local frequency = s / docs_spam
      local raw = frequency / (frequency + h / docs_ham)
      local p = (f.prior * 0.5 + (s + h) * raw) / (f.prior + s + h)
      p = math.min(math.max(p, f.floor), f.ceiling)
      local deviation = math.abs(p - 0.5)
      if deviation >= f.min_deviation then
        clues[#clues + 1] = {deviation, p, token}
      end
    end
  end
  if #clues == 0 then
    return 0.5, {}
  end
  -- Most telling first; equal ones by probability, then token, as Python sorts tuples.
  table.sort(clues, function(a, b)
    if a[1] ~= b[1] then return a[1] > b[1] end
    if a[2] ~= b[2] then return a[2] > b[2] end
    return a[3] > b[3]
  end)
  local n = math.min(#clues, f.max_clues)
  local log_ham, log_spam = 0, 0
  for i = 1, n do
    log_ham = log_ham + math.log(1 - clues[i][2])
    log_spam = log_spam + math.log(clues[i][2])
  end
  local spamminess = 1 - chi2_survival(-2 * log_ham, 2 * n)
  local hamminess = 1 - chi2_survival(-2 * log_spam, 2 * n)
  local top = {}
  for i = 1, math.min(n, f.reasons) do
    top[i] = clues[i][3]
  end
  return (1 + spamminess - hamminess) / 2, top
end

local fields_given = cjson.decode(ARGV[2])
local reasons = o.reason_list
local spam_by_filter = false
if o.filter then
  local probability, top = filter_score(o.filter)
  fields_given.score = string.format('%.3f', probability)
  if probability >= o.filter.threshold then
    spam_by_filter = true
    reasons[#reasons + 1] = #top > 0 and ('filter: ' .. table.concat(top, ', ')) or 'filter'
  end
end
if #reasons > 0 then
  fields_given.signals = cjson.encode(reasons)
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
if o.status == 'spam' or spam_by_filter or wave ~= '' then
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
for name, value in pairs(fields_given) do
  fields[#fields + 1] = name
  fields[#fields + 1] = value
end
redis.call('HSET', key, unpack(fields))

-- What the dashboard shows of the door: every comment, what caught the spam, the rules that fired.
local stats = open_stats(o.prefix, o.stats)
stats:add('submitted', 1)
for _, rule in ipairs(o.stats.rules) do
  stats:add('rule:' .. rule, 1)
end
if status == 'spam' then
  local by = o.stats.caught
  if wave ~= '' then
    by = 'wave'
  elseif by == '' then
    by = 'filter'
  end
  stats:add('caught:' .. by, 1)
else
  stats:thread(o.thread)
end

if status == 'pending' then
  redis.call('SETBIT', KEYS[3], id, 1)
  local depth = redis.call('INCR', KEYS[15])
  stats:depth(depth - 1, depth)
  redis.call('ZADD', KEYS[4], now, id)
  redis.call('ZADD', KEYS[5], now, id)
  redis.call('ZINCRBY', KEYS[6], 1, o.thread)
  redis.call('XADD', KEYS[7], 'MAXLEN', '~', o.events_max, '*', 'type', 'submitted', 'id', id, 'thread', o.thread)
elseif status == 'spam' then
  local why = table.concat(reasons, '; ')
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

redis.call('ZADD', KEYS[17], 'NX', now, o.thread)
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
stats:close()
return {tostring(id), 'created', status, 0}
