-- Send a dead letter back to the worker (an admin's "retry"): off the list, onto the redo stream.
--
-- KEYS[1] dead letters (list)   KEYS[2] redo stream
-- ARGV[1] the dead letter exactly as listed (JSON with the event's fields)   ARGV[2] redo stream max length
--
-- Returns the new entry's id, or false when the letter is no longer listed (retried already).

if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then
  return false
end
local letter = cjson.decode(ARGV[1])
local fields = {}
for name, value in pairs(letter.fields) do
  fields[#fields + 1] = name
  fields[#fields + 1] = value
end
-- The first event's id stays the message's identity, however often it is sent back.
if not letter.fields.retry_of then
  fields[#fields + 1] = 'retry_of'
  fields[#fields + 1] = letter.id
end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
