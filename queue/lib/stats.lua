-- The dashboard's figures, counted in the same step as what they count.
--
-- Not a script of its own: store.load_script puts it in front of each script
-- that names it on a line "-- uses lib/stats.lua". Such a script gets, in its
-- JSON options, `stats`: hour (Unix time / 3600 s), minute (of that hour,
-- 0-59), day (the date in the site's time zone, YYYY-MM-DD), bounds
-- (time-to-decision buckets, seconds), keep_hour_seconds and
-- keep_day_seconds (how long a bucket lives), all from moderation/buckets.py.
-- Keys, all of the site (its prefix):
--   stats:hour:<hour>        hash, kept 48 hours: the queue's depth minute by
--                            minute, and the hour's time-to-decision histogram
--                            (one hash an hour: a page reads 24, not 1,440)
--   stats:day:<day>          hash, kept 400 days: what the 30-day charts draw
--   stats:day:<day>:threads  sorted set: thread → comments it took in that day
--   stats:total              hash, never expires: the counts since the start, for /metrics
-- The fields are listed in queue/README.md.

local Stats = {}
Stats.__index = Stats

local function open_stats(prefix, when)
  local day = prefix .. 'stats:day:' .. when.day
  return setmetatable({
    when = when, hour = prefix .. 'stats:hour:' .. when.hour, day = day, threads = day .. ':threads',
    total = prefix .. 'stats:total',
  }, Stats)
end

-- Count `by` under `field` in the day's bucket and the totals.
function Stats:add(field, by)
  redis.call('HINCRBY', self.day, field, by)
  redis.call('HINCRBY', self.total, field, by)
end

-- A comment decided `waited_ms` after it came in: one sample of the time-to-decision histogram.
function Stats:waited(waited_ms)
  local bucket = 'inf'
  for _, bound in ipairs(self.when.bounds) do
    if waited_ms <= bound * 1000 then
      bucket = tostring(bound)
      break
    end
  end
  for _, key in ipairs({self.hour, self.day, self.total}) do
    redis.call('HINCRBY', key, 'wait:' .. bucket, 1)
    redis.call('HINCRBY', key, 'wait_ms', waited_ms)
  end
end

-- The queue went from `before` to `after` comments: the depth the minute and the day opened with (the
-- first change's `before`), ended with, and (for the day) its peak.
function Stats:depth(before, after)
  local minute = tostring(self.when.minute)
  redis.call('HSETNX', self.hour, 'depth_open:' .. minute, before)
  redis.call('HSET', self.hour, 'depth:' .. minute, after)
  redis.call('HSETNX', self.day, 'depth_open', before)
  redis.call('HSET', self.day, 'depth', after)
  if after > tonumber(redis.call('HGET', self.day, 'depth_max') or '-1') then
    redis.call('HSET', self.day, 'depth_max', after)
  end
end

function Stats:thread(thread)
  redis.call('ZINCRBY', self.threads, 1, thread)
end

-- Buckets expire on their own: once the script has written what it counts.
function Stats:close()
  redis.call('EXPIRE', self.hour, self.when.keep_hour_seconds)
  redis.call('EXPIRE', self.day, self.when.keep_day_seconds)
  redis.call('EXPIRE', self.threads, self.when.keep_day_seconds)
end
