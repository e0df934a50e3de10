-- Claim comments for a moderator, or renew their own claims.
--
-- A claim is a lease: it expires by itself, so it never blocks past its
-- lifetime. Comments claimed by someone else are left alone.
--
-- KEYS[1..n] claim keys   ARGV[1] moderator   ARGV[2] claim lifetime, ms
-- Returns a list of 1 (now claimed by this moderator) or 0 (someone else's).

local result = {}
for i, key in ipairs(KEYS) do
  local claimant = redis.call('GET', key)
  if not claimant or claimant == ARGV[1] then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    result[i] = 1
  else
    result[i] = 0
  end
end
return result
