-- POST {issuer}/api/signup with a new email on every request: thread id + counter + run id
-- ($BENCH_RUN_ID, so that repeated runs against one database stay unique).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.path = os.getenv("BENCH_ISSUER_PATH") .. "/api/signup"
wrk.headers["Content-Type"] = "application/json"
local run_id = os.getenv("BENCH_RUN_ID") or "0"
local password = os.getenv("BENCH_PASSWORD")
local counter = 0

function request()
  counter = counter + 1
  local body = string.format('{"email":"signup-%s-t%d-%d@bench.example","password":"%s"}',
                             run_id, id, counter, password)
  return wrk.format(nil, nil, nil, body)
end
