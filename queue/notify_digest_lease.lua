-- May this worker build moderator <name>'s digest now? Not while another worker is on it, not before the
-- backoff after a failed digest has run out, and not while it is a dead letter (until an admin retries it).
--
-- KEYS[1] the digest's lease (string)   KEYS[2] retry state (hash)   KEYS[3] the worker's counts (hash)
-- ARGV[1] the digest's field in the retry state (`digest:<name>`)   ARGV[2] the worker
-- ARGV[3] the lease's life (ms, should the worker die while sending)   ARGV[4] now (ms)
--
-- Returns 1 with the lease taken (a retry counted as `retried`), else 0.

local state = redis.call('HGET', KEYS[2], ARGV[1])
local attempts = 0
if state then
  if state == 'dead' then
    return 0
  end
  local failed, next_ms = string.match(state, '^(%d+):(%d+)$')
  if tonumber(next_ms) > tonumber(ARGV[4]) then
    return 0
  end
  attempts = tonumber(failed)
end
if not redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then
  return 0
end
if attempts > 0 then
  redis.call('HINCRBY', KEYS[3], 'retried', 1)
end
return 1
