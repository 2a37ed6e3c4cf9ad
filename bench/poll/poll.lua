-- wrk script of bench/poll: every request is one terminal's, round robin over all of them, each
-- thread starting at its own share of the list.
--   wrk ... -s poll.lua <url> -- <mode> <terminals file> <image> <etag>
-- A line of the terminals file is "id token [etag]": a terminal's own ETag overrides <etag>.
-- modes: conditional (strategy poll with If-None-Match, expects 304), fresh (strategy poll, 200),
--        trivial (a constant answer, 200), pk (one primary-key JPA lookup, 200)
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  mode, file, image, etag = args[1], args[2], args[3], args[4]
  terminals = {}
  for line in io.lines(file) do
    local id, token, tag = line:match("^(%d+) (%S+) ?(%S*)$")
    if id then
      terminals[#terminals + 1] = { id, "Bearer " .. token, tag ~= "" and tag or etag }
    end
  end
  counter = math.floor(index * #terminals / 2)
  unexpected = 0
end

function request()
  counter = counter % #terminals + 1
  local t = terminals[counter]
  local headers = { ["Authorization"] = t[2] }
  local path
  if mode == "conditional" then
    headers["If-None-Match"] = t[3]
    path = "/api/v1/terminals/" .. t[1] .. "/images/" .. image .. "/strategy"
  elseif mode == "fresh" then
    path = "/api/v1/terminals/" .. t[1] .. "/images/" .. image .. "/strategy"
  elseif mode == "trivial" then
    path = "/api/v1/bench/trivial/" .. t[1]
  else
    path = "/api/v1/bench/terminal/" .. t[1]
  end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  local expected = (mode == "conditional") and 304 or 200
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local mode = threads[1]:get("mode")
  local unexpectedTotal = 0
  for _, thread in ipairs(threads) do
    unexpectedTotal = unexpectedTotal + thread:get("unexpected")
  end
  io.write(string.format(
    "RESULT mode=%s requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f unexpected=%d errors=%d\n",
    mode, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, unexpectedTotal,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
