-- A reader unsubscribes: from one thread, or from everything (also what an erasure does).
--
-- An address that follows no thread any more is forgotten altogether, email included: nothing is kept
-- that is not needed to send. A later opt-in starts again with a confirmation.
--
-- KEYS[1] the address's hash   KEYS[2] the threads it follows
-- ARGV[1] the thread, or '' for everything
--
-- Returns how many threads it still follows.

if ARGV[1] ~= '' then
  redis.call('HDEL', KEYS[2], ARGV[1])
  local left = redis.call('HLEN', KEYS[2])
  if left > 0 then
    return left
  end
end
redis.call('DEL', KEYS[1], KEYS[2])
return 0
