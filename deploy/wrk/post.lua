-- wrk script for deploy/bench.sh http: POSTs WRK_BODY as JSON (with WRK_ORIGIN as the Origin header, when set).
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY") or ""
wrk.headers["Content-Type"] = "application/json"
local origin = os.getenv("WRK_ORIGIN")
if origin ~= nil and origin ~= "" then wrk.headers["Origin"] = origin end
