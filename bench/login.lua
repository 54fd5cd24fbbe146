-- POST {issuer}/api/login for the same few users ($BENCH_LOGIN_EMAILS, comma-separated, all
-- with the password $BENCH_PASSWORD), round-robin. Each login is one argon2id verification.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.path = os.getenv("BENCH_ISSUER_PATH") .. "/api/login"
wrk.headers["Content-Type"] = "application/json"
local password = os.getenv("BENCH_PASSWORD")
local bodies = {}
for email in string.gmatch(os.getenv("BENCH_LOGIN_EMAILS") or "", "[^,]+") do
  table.insert(bodies, string.format('{"email":"%s","password":"%s"}', email, password))
end
assert(#bodies > 0, "BENCH_LOGIN_EMAILS is empty")
local next_body = 0

function request()
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[next_body])
end
