-- bench/common.lua: loaded first by every scenario script (dofile). Numbers the wrk threads,
-- and at the end writes one JSON object with the run's numbers to $BENCH_WRK_JSON.
-- A scenario that installs a response() hook counts its statuses in the per-thread globals
-- `non2xx` (number) and `statuses` (status -> count); without a hook, non-2xx is wrk's own
-- count of responses with status >= 400 (no 1xx/3xx answers exist on the benchmarked routes).
-- Per-thread counters `starved` (refresh scripts: requests sent with an empty token queue) and
-- `inactive` (oauth_introspect: 200 answers without "active":true, also counted in non2xx)
-- are summed into the JSON when a script sets them.

-- $BENCH_DELAY_MS paces the run: each connection waits that long before its next request
-- (wrk's delay() hook), so the load is a steady rate instead of as fast as the server goes.
-- The overload bench measures latency under a realistic API load this way.
local pace_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pace_ms and pace_ms > 0 then
  function delay() return pace_ms end
end

bench_threads = {}
non2xx = 0
statuses = {}
hooked = false  -- set by scenarios that count statuses themselves

-- Runs in the main Lua state once per wrk thread, before the thread starts.
function setup(thread)
  table.insert(bench_threads, thread)
  thread:set("id", #bench_threads)
  if bench_setup then bench_setup(thread, #bench_threads) end
end

-- Call from response(status, ...) in scenarios that count statuses.
function bench_count(status)
  statuses[status] = (statuses[status] or 0) + 1
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local path = os.getenv("BENCH_WRK_JSON")
  if not path or path == "" then return end
  local counted_non2xx, counted = 0, {}
  local any_hook = false
  for _, t in ipairs(bench_threads) do
    if t:get("hooked") then any_hook = true end
    counted_non2xx = counted_non2xx + (t:get("non2xx") or 0)
    for s, n in pairs(t:get("statuses") or {}) do counted[s] = (counted[s] or 0) + n end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local status_parts = {}
  for s, n in pairs(counted) do
    table.insert(status_parts, string.format('"%d": %d', s, n))
  end
  local extra = {}
  for _, t in ipairs(bench_threads) do
    for _, k in ipairs({"starved", "inactive"}) do
      local v = t:get(k)
      if v then extra[k] = (extra[k] or 0) + v end
    end
  end
  local f = assert(io.open(path, "w"))
  f:write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "bytes": %d, ' ..
    '"latency_us": {"mean": %.0f, "p50": %d, "p90": %d, "p99": %d, "max": %d}, ' ..
    '"non2xx": %d, "non2xx_source": "%s", "statuses": {%s}, "starved": %d, "inactive": %d, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max,
    any_hook and counted_non2xx or e.status, any_hook and "response-hook" or "wrk-status>=400",
    table.concat(status_parts, ", "), extra.starved or 0, extra.inactive or 0,
    e.connect, e.read, e.write, e.timeout))
  f:close()
end
