-- Finish an erasure job once its cursor has passed the last comment id: the
-- commenter's own pending index and trust counter go, the address leaves the
-- job record, and the one audit entry of the erasure is written (with the
-- keyed digest of the address, never the address). Once: a finished job is
-- never finished again, and a job whose cursor has not reached the end
-- (comments came in since the caller looked) is left to run on.
--
-- KEYS[1] the job (hash)   KEYS[2] last comment id handed out
-- KEYS[3] unfinished jobs   KEYS[4] finished jobs   KEYS[5] the audit stream
-- ARGV[1] prefix of the site's keys   ARGV[2] runner   ARGV[3] now (ms)
-- ARGV[4] how long the finished record is kept (ms)   ARGV[5] the audit
-- stream's cap   ARGV[6] the audit entry's counts (JSON), the comments
-- erased among them   ARGV[7] how many comments the caller counted
--
-- Returns 1 when it finished the job, 0 when there is more to do or the job
-- is not this runner's (another holds it, it finished, or its count moved).

local job = redis.call('HMGET', KEYS[1], 'state', 'cursor', 'runner', 'lease_until', 'email', 'erased', 'actor',
                       'subject')
local now = tonumber(ARGV[3])
if job[1] ~= 'running' or tonumber(job[2]) <= tonumber(redis.call('GET', KEYS[2]) or 0)
    or (job[3] and job[3] ~= ARGV[2] and tonumber(job[4] or 0) > now) or job[6] ~= ARGV[7] then
  return 0
end
local email = job[5]
redis.call('DEL', ARGV[1] .. 'email:' .. email .. ':pending', ARGV[1] .. 'email:' .. email .. ':approved')
redis.call('HDEL', KEYS[1], 'email', 'runner', 'lease_until')
redis.call('HSET', KEYS[1], 'state', 'done', 'finished_at', now, 'end', job[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZREM', KEYS[3], job[8])
redis.call('ZADD', KEYS[4], now, job[8])
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[5], '*', 'action', 'commenter_erased', 'moderator', job[7],
           'at', now, 'reason', 'commenter ' .. job[8], 'counts', ARGV[6])
return 1
