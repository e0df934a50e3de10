-- The secret of a new webhook endpoint, once: the page after its creation shows it, no page after that.
--
-- KEYS[1] the endpoint's hash
--
-- Returns the secret, or false when it was shown already (or there is no such endpoint).

if redis.call('HGET', KEYS[1], 'secret_shown') ~= '0' then
  return false
end
redis.call('HSET', KEYS[1], 'secret_shown', '1')
return redis.call('HGET', KEYS[1], 'secret')
