-- A reader's confirmation link was followed and its button pressed: a `pending` address becomes
-- `confirmed`. An address that unsubscribed meanwhile (its hash is gone) stays gone; a confirmed one
-- is left as it is.
--
-- KEYS[1] the address's hash   ARGV[1] now (ms)
--
-- Returns 1 when it confirmed the address now, else 0 (never shown to the reader).

if redis.call('HGET', KEYS[1], 'state') == 'pending' then
  redis.call('HSET', KEYS[1], 'state', 'confirmed', 'confirmed_at', ARGV[1])
  return 1
end
return 0
