-- A reader's opt-in ("email me when someone replies"), taken when their comment was approved.
--
-- The address follows the comment's thread from now on. Its first opt-in makes it `pending` and asks
-- for a confirmation mail (double opt-in); so does a later one once the last confirmation is older than
-- the resend interval. The event that asked for the confirmation is recorded: the same event handled
-- again (a retry after the mail failed, a worker that died) asks for it again, any other does not, so a
-- confirmation is sent once per interval whatever the retries. A confirmed address stays confirmed.
--
-- KEYS[1] the address's hash (email, state, since, confirm_sent_at, confirm_for)
-- KEYS[2] the threads it follows (thread → last mail "ms:reply id", "0" for none yet)
-- ARGV[1] email   ARGV[2] thread   ARGV[3] now (ms)   ARGV[4] the event's id
-- ARGV[5] resend interval (ms)
--
-- Returns 'confirm' (send the confirmation), 'pending' (sent lately, not yet confirmed) or 'confirmed'.

local now = tonumber(ARGV[3])
redis.call('HSETNX', KEYS[2], ARGV[2], '0')
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  redis.call('HSET', KEYS[1], 'email', ARGV[1], 'state', 'pending', 'since', ARGV[3],
    'confirm_sent_at', ARGV[3], 'confirm_for', ARGV[4])
  return 'confirm'
end
if state == 'confirmed' then
  return 'confirmed'
end
local last = redis.call('HMGET', KEYS[1], 'confirm_for', 'confirm_sent_at')
if last[1] == ARGV[4] then
  return 'confirm'
end
if now - tonumber(last[2] or '0') >= tonumber(ARGV[5]) then
  redis.call('HSET', KEYS[1], 'confirm_sent_at', ARGV[3], 'confirm_for', ARGV[4])
  return 'confirm'
end
return 'pending'
