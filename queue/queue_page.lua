-- One page of a pending index, oldest first, claiming what it hands out.
--
-- Comments another moderator has claimed are passed over (and reported),
-- so two moderators working at once get different comments. Reads at most
-- ARGV[6] members: O(log n + page) however long the queue is.
--
-- KEYS[1] the pending index: the site's, a thread's or a commenter's set
-- ARGV[1] key prefix of the site   ARGV[2] moderator ('' to claim nothing)
-- ARGV[3] claim lifetime, ms
-- ARGV[4] cursor score ('' for the start)   ARGV[5] cursor id
-- ARGV[6] most members to read   ARGV[7] page size
-- ARGV[8..] comment fields to return
--
-- Returns {comments, claimed_by_others, next_score, next_id}: comments is a
-- list of value lists (in the order of the fields asked for, '' where unset), claimed_by_others a flat list of id, moderator.

local prefix, me, lease = ARGV[1], ARGV[2], ARGV[3]
local cursor_score, cursor_id = tonumber(ARGV[4]), ARGV[5]
local budget, size = tonumber(ARGV[6]), tonumber(ARGV[7])
local fields = {}
for i = 8, #ARGV do
  fields[#fields + 1] = ARGV[i]
end

local start = cursor_score and ARGV[4] or '-inf'
local comments, others = {}, {}
local offset, read = 0, 0
local last_score, last_id = '', ''
local batch = math.min(budget, size + 10)
local full = false

while not full do
  local rows = redis.call('ZRANGEBYSCORE', KEYS[1], start, '+inf', 'WITHSCORES', 'LIMIT', offset, batch)
  for i = 1, #rows, 2 do
    local id, score = rows[i], rows[i + 1]
    offset = offset + 1
    -- Members with the cursor's score sort by id as a string, as Redis does.
    if not (cursor_score and tonumber(score) == cursor_score and id <= cursor_id) then
      read = read + 1
      last_score, last_id = score, id
      local claim_key = prefix .. 'claim:' .. id
      local claimant = redis.call('GET', claim_key)
      if claimant and claimant ~= me then
        others[#others + 1] = id
        others[#others + 1] = claimant
      else
        if me ~= '' then
          redis.call('SET', claim_key, me, 'PX', lease)
        end
        local values = redis.call('HMGET', prefix .. 'comment:' .. id, unpack(fields))
        for j = 1, #fields do
          values[j] = values[j] or ''
        end
        comments[#comments + 1] = values
      end
      if #comments >= size or read >= budget then
        full = true
        break
      end
    end
  end
  if #rows < batch * 2 then
    break
  end
end

-- A next page exists only if something follows the last member read.
local after = redis.call('ZRANGEBYSCORE', KEYS[1], start, '+inf', 'LIMIT', offset, 1)
if #after == 0 then
  last_score, last_id = '', ''
end
return {comments, others, last_score, last_id}
