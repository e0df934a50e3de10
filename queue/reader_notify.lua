-- May the author of a comment be told of an approved reply to it? Only a confirmed address that still
-- follows the thread, and at most once per thread per NOTIFY_MIN_MINUTES: the reply that gets the slot
-- is recorded with its time, so that the same reply handled again (a retry) keeps its slot and any other
-- within the interval is passed over.
--
-- KEYS[1] the address's hash   KEYS[2] the threads it follows
-- ARGV[1] thread   ARGV[2] now (ms)   ARGV[3] the reply's id   ARGV[4] the interval (ms)
--
-- Returns {'send', email}, or {'unconfirmed'}, {'unsubscribed'}, {'throttled'}.

local address = redis.call('HMGET', KEYS[1], 'state', 'email')
if address[1] ~= 'confirmed' then
  return {'unconfirmed'}
end
local last = redis.call('HGET', KEYS[2], ARGV[1])
if not last then
  return {'unsubscribed'}
end
local at, reply = string.match(last, '^(%d+):?(.*)$')
if reply ~= ARGV[3] and tonumber(at) > 0 and tonumber(ARGV[2]) - tonumber(at) < tonumber(ARGV[4]) then
  return {'throttled'}
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
return {'send', address[2]}
