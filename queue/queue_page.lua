-- One page of a pending index, oldest first, claiming what it hands out.
--
-- Comments another moderator has claimed are passed over (and reported),
-- so two moderators working at once get different comments. Reads at most
-- ARGV[6] members however long the queue is: O(log n + page) in a sorted
-- set; in the bitmap, BITPOS skips the decided ids between two pending ones
-- in C, 8 ids a byte.
--
-- KEYS[1] the index: the site's pending ids (a bitmap: bit <id> set while
--         the comment waits, so oldest first is lowest id first), or a
--         sorted set scored by created_at (a thread's or a commenter's
--         pending set, the spam list)
-- ARGV[1] key prefix of the site   ARGV[2] moderator ('' to claim nothing)
-- ARGV[3] claim lifetime, ms
-- ARGV[4] cursor score ('' for the start; unused by the bitmap)
-- ARGV[5] cursor id ('' for the start)
-- ARGV[6] most members to read   ARGV[7] page size
-- ARGV[8..] comment fields to return
--
-- Returns {comments, claimed_by_others, next_score, next_id}: comments is a
-- list of value lists (in the order of the fields asked for, '' where unset),
-- claimed_by_others a flat list of id, moderator; next_id is '' on the last
-- page.

local prefix, me, lease = ARGV[1], ARGV[2], ARGV[3]
local cursor_score, cursor_id = tonumber(ARGV[4]), ARGV[5]
local budget, size = tonumber(ARGV[6]), tonumber(ARGV[7])
local fields = {}
for i = 8, #ARGV do
  fields[#fields + 1] = ARGV[i]
end

local comments, others = {}, {}
local read = 0
local last_score, last_id = '', ''

-- Hand out one member, or pass over it if another moderator holds it; true when the page is full.
local function take(id, score)
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
  return #comments >= size or read >= budget
end

-- The lowest set bit at or after `from` (Redis numbers a byte's bits from
-- its highest), or nil. BITPOS searches whole bytes, so the rest of the
-- first byte is looked at here.
local function next_set_bit(from)
  local byte = math.floor(from / 8)
  local value = string.byte(redis.call('GETRANGE', KEYS[1], byte, byte)) or 0
  for i = from % 8, 7 do
    if bit.band(value, bit.rshift(128, i)) ~= 0 then
      return byte * 8 + i
    end
  end
  local found = redis.call('BITPOS', KEYS[1], 1, byte + 1)
  if found < 0 then
    return nil
  end
  return found
end

if redis.call('TYPE', KEYS[1]).ok == 'string' then
  local id = next_set_bit((tonumber(cursor_id) or 0) + 1)
  while id do
    -- An id is its own score here: cursors look the same for every index.
    local full = take(tostring(id), tostring(id))
    id = next_set_bit(id + 1)
    if full then
      break
    end
  end
  -- A next page exists only if something follows the last member read.
  if not id then
    last_score, last_id = '', ''
  end
  return {comments, others, last_score, last_id}
end

local start = cursor_score and ARGV[4] or '-inf'
local offset = 0
local batch = math.min(budget, size + 10)
local full = false
while not full do
  local rows = redis.call('ZRANGEBYSCORE', KEYS[1], start, '+inf', 'WITHSCORES', 'LIMIT', offset, batch)
  for i = 1, #rows, 2 do
    local id, score = rows[i], rows[i + 1]
    offset = offset + 1
    -- Members with the cursor's score sort by id as a string, as Redis does.
    if not (cursor_score and tonumber(score) == cursor_score and id <= cursor_id) then
      full = take(id, score)
      if full then
        break
      end
    end
  end
  if #rows < batch * 2 then
    break
  end
end

local after = redis.call('ZRANGEBYSCORE', KEYS[1], start, '+inf', 'LIMIT', offset, 1)
if #after == 0 then
  last_score, last_id = '', ''
end
return {comments, others, last_score, last_id}
