-- Give up on an event the worker could not handle: acknowledge it and keep it as a dead letter.
--
-- KEYS[1] the stream it came from (the event stream or the redo stream)
-- KEYS[2] dead letters (list)   KEYS[3] retry state (hash)   KEYS[4] the worker's counts (hash)
-- ARGV[1] consumer group   ARGV[2] event id   ARGV[3] the dead letter (JSON, as the console shows it)
--
-- Returns 1, or 0 when the event was acknowledged already (another worker finished it): then nothing
-- is written, so one event never becomes two dead letters.

if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[2])
redis.call('HINCRBY', KEYS[4], 'dead', 1)
return 1
