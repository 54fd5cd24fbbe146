-- POST {issuer}/oauth/token with grant_type=refresh_token, authenticated as the confidential
-- client that got the tokens (client_secret_basic, $BENCH_AUTH). The same design as
-- refresh.lua: rotation consumes each refresh token, so every wrk thread keeps a FIFO queue of
-- live tokens: request() pops one, response() pushes the new one from the answer's body. The
-- queue is seeded from $BENCH_REFRESH_TOKENS (a file, one token per line, one
-- authorization-code grant each; other lines are skipped), dealt round-robin to
-- $BENCH_WRK_THREADS threads; seed at least one token per connection. A request sent with an
-- empty queue (a token lost to an error) uses a dummy token and is counted as `starved`;
-- every non-2xx answer is counted.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.path = os.getenv("BENCH_ISSUER_PATH") .. "/oauth/token"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
hooked = true
starved = 0
local queue, head, tail = {}, 1, 0

-- Main state: deal the seed tokens to the threads as one comma-separated string each.
function bench_setup(thread, index)
  local nthreads = tonumber(os.getenv("BENCH_WRK_THREADS") or "1")
  local mine, n = {}, 0
  for line in io.lines(os.getenv("BENCH_REFRESH_TOKENS")) do
    if string.match(line, "^tsr_") then
      if n % nthreads == index - 1 then table.insert(mine, line) end
      n = n + 1
    end
  end
  thread:set("seed", table.concat(mine, ","))
end

function init(args)
  for token in string.gmatch(seed or "", "[^,]+") do
    tail = tail + 1
    queue[tail] = token
  end
end

function request()
  local token = "tsr_starved"
  if head <= tail then
    token = queue[head]
    queue[head] = nil
    head = head + 1
  else
    starved = starved + 1
  end
  -- tsr_ tokens are base64url: nothing to form-encode.
  return wrk.format(nil, nil, nil, "grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
  bench_count(status)
  if status == 200 then
    local token = string.match(body, '"refresh_token":"(tsr_[^"]+)"')
    if token then
      tail = tail + 1
      queue[tail] = token
    end
  end
end
