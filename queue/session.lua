-- Load a moderator's session and keep it alive (sliding idle timeout).
--
-- The timeout is pushed back only once it has run down by a minute (or a
-- tenth of it, if shorter): most requests then write nothing, and a write
-- costs an fsync before the answer (appendfsync always).
--
-- KEYS[1] the session   ARGV[1] idle timeout, ms   ARGV[2] moderator key prefix
-- Returns {name, role} or {} when the session has expired, its account was
-- removed, or its password changed since it began.

local value = redis.call('GET', KEYS[1])
if not value then
  return {}
end
local name, epoch = string.match(value, '^(.*)\n(%d+)$')
local account = redis.call('HMGET', ARGV[2] .. name, 'role', 'epoch')
if not account[1] or account[2] ~= epoch then
  redis.call('DEL', KEYS[1])
  return {}
end
local idle = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < idle - math.min(60000, math.floor(idle / 10)) then
  redis.call('PEXPIRE', KEYS[1], idle)
end
return {name, account[1]}
