-- A moderator's digest could not go out: its attempt counted, with the next one after a doubling delay,
-- or, at the limit, a dead letter that holds the digest back until an admin retries it.
--
-- KEYS[1] retry state (hash)   KEYS[2] dead letters (list)   KEYS[3] the worker's counts (hash)
-- KEYS[4] the digest's lease (string)
-- ARGV[1] the digest's field in the retry state (`digest:<name>`)   ARGV[2] the moderator's name
-- ARGV[3] now (ms)   ARGV[4] first delay (ms)   ARGV[5] longest delay (ms)   ARGV[6] attempts allowed
-- ARGV[7] the error
--
-- Returns {attempts so far, earliest time of the next one in ms}, or {attempts, -1} for a dead letter.
-- The dead letter's fields say `type` digest and the `moderator`: an admin's Retry (notify_redo.lua) puts
-- them on the redo stream, and the worker handling that event lifts the hold (the field is deleted).

local state = redis.call('HGET', KEYS[1], ARGV[1])
local attempts = 1
if state and state ~= 'dead' then
  attempts = tonumber(string.match(state, '^(%d+):')) + 1
end
local now = tonumber(ARGV[3])
redis.call('HINCRBY', KEYS[3], 'failed', 1)
redis.call('DEL', KEYS[4])
if attempts >= tonumber(ARGV[6]) then
  redis.call('HSET', KEYS[1], ARGV[1], 'dead')
  redis.call('RPUSH', KEYS[2], cjson.encode({stream = 'digest', id = ARGV[3] .. '-0', attempts = attempts,
    error = ARGV[7], at = now, fields = {type = 'digest', moderator = ARGV[2]}}))
  redis.call('HINCRBY', KEYS[3], 'dead', 1)
  return {attempts, -1}
end
local delay = math.min(tonumber(ARGV[4]) * 2 ^ (attempts - 1), tonumber(ARGV[5]))
local next_ms = now + delay
redis.call('HSET', KEYS[1], ARGV[1], string.format('%d:%d', attempts, next_ms))
return {attempts, next_ms}
