-- One more mail to a reader, if the hour's limits allow: per recipient and for the whole site, in
-- fixed hourly windows. Over either, nothing is counted and the caller waits for the window to end.
--
-- KEYS[1] mail sent to this address this hour   KEYS[2] reader mail sent by the site this hour
-- ARGV[1] most per recipient   ARGV[2] most in total   ARGV[3] the window's length (s)
--
-- Returns 0 when the mail may go (and counts it), else the milliseconds until the full window ends.

local to = tonumber(redis.call('GET', KEYS[1]) or '0')
local all = tonumber(redis.call('GET', KEYS[2]) or '0')
if to >= tonumber(ARGV[1]) or all >= tonumber(ARGV[2]) then
  local left = redis.call('PTTL', to >= tonumber(ARGV[1]) and KEYS[1] or KEYS[2])
  if left < 1 then
    left = 1000
  end
  return left
end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then
    redis.call('EXPIRE', key, ARGV[3])
  end
end
return 0
