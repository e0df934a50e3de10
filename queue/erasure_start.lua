-- Ask for an erasure of one commenter's data: a job record, one per address
-- (by the keyed digest of the address), that the worker or the CLI then runs
-- a batch at a time (erase.lua, erasure_finish.lua).
--
-- While a job of the address is not finished, asking again starts nothing:
-- the running job is the answer. A finished one is replaced by a new job,
-- which finds whatever came since. Finished jobs older than ``keep_ms`` are
-- dropped from the list of finished ones (their records expire by then).
--
-- KEYS[1] the job (hash)   KEYS[2] unfinished jobs (sorted set)
-- KEYS[3] finished jobs (sorted set)
-- ARGV[1] subject (the digest)   ARGV[2] email   ARGV[3] keep_text (0, 1)
-- ARGV[4] who asked   ARGV[5] now (ms)   ARGV[6] keep_ms
--
-- Returns 1 when it started a job, 0 when one was already running.

if redis.call('HGET', KEYS[1], 'state') == 'running' then
  return 0
end
local now = tonumber(ARGV[5])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'subject', ARGV[1], 'email', ARGV[2], 'keep_text', ARGV[3], 'actor', ARGV[4],
           'state', 'running', 'cursor', 1, 'erased', 0, 'requested_at', now)
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[6]))
return 1
