-- Load a moderator's session and keep it alive (sliding idle timeout).
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
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {name, account[1]}
