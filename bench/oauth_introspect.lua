-- POST {issuer}/oauth/introspect with token=$BENCH_TOKEN (a user's access token from the
-- authorization-code flow), authenticated as a confidential client with client_secret_basic
-- ($BENCH_AUTH). The same token every time. The server answers 200 also for a token it does
-- not accept ({"active":false}), so response() counts a 200 without "active":true as a
-- failure (in non2xx, and in `inactive`): a fast "no" cannot pass for a fast "yes".
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.path = os.getenv("BENCH_ISSUER_PATH") .. "/oauth/introspect"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
wrk.body = "token=" .. os.getenv("BENCH_TOKEN")  -- a JWT: nothing to escape
hooked = true
inactive = 0

function response(status, headers, body)
  bench_count(status)
  if status >= 200 and status <= 299 and not string.find(body, '"active":true', 1, true) then
    non2xx = non2xx + 1
    inactive = inactive + 1
  end
end
