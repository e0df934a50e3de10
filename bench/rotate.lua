-- wrk script: send pre-built requests in turn, and print the figures as JSON.
--
-- Arguments (after wrk's `--`):
--   1 file of requests, one per line: METHOD <tab> PATH <tab> BODY (BODY may be empty)
--   2 what to do when the file runs out: "wrap" starts again, "stop" ends the thread
--     (each approve must target a different comment, so those runs stop)
--   3 number of wrk threads (each takes every n-th line, so no two send the same one)
--   4 expected statuses, comma separated ("303", "201,202"); any other counts as an error
--   5.. headers, "Name: value"
--
-- done() prints one line `BENCH {json}` that bench/loadgen.py reads.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local requests = {}
local index = 0
local stop_at_end = false
local expected = {}

-- Read back by done() through thread:get.
wrapped = 0
unexpected = 0
statuses = ""
local seen = {}

function init(args)
  local path, mode, nthreads = args[1], args[2], tonumber(args[3])
  stop_at_end = mode == "stop"
  for code in string.gmatch(args[4], "%d+") do
    expected[tonumber(code)] = true
  end
  local headers = {}
  for i = 5, #args do
    local name, value = string.match(args[i], "^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  local line_number = 0
  for line in io.lines(path) do
    if (line_number % nthreads) == (id - 1) then
      local method, target, body = string.match(line, "^([^\t]*)\t([^\t]*)\t(.*)$")
      if body == "" then
        body = nil
      end
      requests[#requests + 1] = wrk.format(method, target, headers, body)
    end
    line_number = line_number + 1
  end
  if #requests == 0 then
    error("no requests for thread " .. id .. " in " .. path)
  end
end

function request()
  index = index + 1
  if index > #requests then
    if stop_at_end then
      wrk.thread:stop()
      return ""  -- nothing more is sent
    end
    index = 1
    wrapped = wrapped + 1
  end
  return requests[index]
end

function response(status, headers, body)
  if not expected[status] then
    unexpected = unexpected + 1
    -- Keep the first few odd statuses, to say what went wrong.
    if not seen[status] then
      seen[status] = true
      statuses = statuses .. tostring(status) .. " "
    end
  end
end

function done(summary, latency, requests)
  local total_wrapped, total_unexpected, all_statuses = 0, 0, ""
  for _, thread in ipairs(threads) do
    total_wrapped = total_wrapped + (thread:get("wrapped") or 0)
    total_unexpected = total_unexpected + (thread:get("unexpected") or 0)
    all_statuses = all_statuses .. (thread:get("statuses") or "")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f, "connect": %d, "read": %d, "write": %d, "status": %d, '
      .. '"timeout": %d, "unexpected": %d, "wrapped": %d, "statuses": "%s"}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout,
    total_unexpected, total_wrapped, all_statuses))
end
