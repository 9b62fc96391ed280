# Sourced by the HTTP benchmarks (deploy/bench-http.sh, deploy/bench-waiters.sh): builds, then starts ScanLogin as
# deploy/run.sh lays it out (PostgreSQL, Redis, WeChat emulator, one silo and one front end, each its own process) and
# the Redis reference app, on free loopback ports. Sets W, R, E (URLs), silo_pid, front_pid, work, origin; stops all on exit.
work=$(mktemp -d /tmp/scanlogin-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_postgres "$work/postgres"; stop_redis "$work/redis"; forget_ports
  # Profiled runs keep their perf maps beside the samples (copy one back to /tmp to run perf script again).
  for pid in "${pids[@]}"; do
    [ -n "${SCANLOGIN_BENCH_PERF:-}" ] && [ -f "/tmp/perf-$pid.map" ] && cp "/tmp/perf-$pid.map" "$work/"
    rm -f "/tmp/perf-$pid.map" "/tmp/perfinfo-$pid.map"
  done
  [ -n "${SCANLOGIN_BENCH_KEEP:-}" ] && echo "logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

echo "==> building (Release)"
for project in src/Silo src/WebFront src/WeChatEmulator tests/Benchmarks tests/Benchmarks/RedisReference; do
  dotnet build "$project" -c Release -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
done

# Profiled runs: JIT'd code named in /tmp/perf-PID.map, and mapped once (no W^X double mapping perf cannot follow).
[ -n "${SCANLOGIN_BENCH_PERF:-}" ] && export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0

# Durable settings (fsync on), as in production.
start_on_free_port pg_port start_postgres_at "$work/postgres" ${SCANLOGIN_BENCH_PG_OPTIONS:-}
create_database "$pg_port" scanlogin_bench
start_on_free_port redis_port start_redis_at "$work/redis"
emulator_port=$(free_port) web_port=$(free_port) reference_port=$(free_port) silo_port=$(free_port) gateway_port=$(free_port)
origin="http://bench.example"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export ConnectionStrings__PostgreSQL="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=scanlogin_bench;Maximum Pool Size=200"
export ConnectionStrings__Redis="127.0.0.1:$redis_port"
export Orleans__ClusterId="bench-$RANDOM$RANDOM"
use_wechat_emulator "$emulator_port"
use_cluster_certificates "$work/tls"
export ScanLogin__Oidc__PublicBaseUrl="http://127.0.0.1:$web_port"
export ScanLogin__Keys__SecretEncryptionKey="$(head -c 32 /dev/urandom | base64 -w0)"
# wrk and the login clients are one address and a crowd of emulated users: lift every abuse limit (the limiters still
# run), so the figures measure the engine, not the limits.
lift_abuse_limits
app_secret="bench-secret-$RANDOM$RANDOM"

dotnet src/WeChatEmulator/bin/Release/net10.0/ScanLogin.WeChatEmulator.dll --urls "http://127.0.0.1:$emulator_port" >"$work/emulator.log" 2>&1 &
pids+=($!)
Orleans__SiloPort=$silo_port Orleans__GatewayPort=$gateway_port \
ScanLogin__Seed__PoolId=bench ScanLogin__Seed__AppId=bench-app ScanLogin__Seed__AppSecret="$app_secret" ScanLogin__Seed__BrowserExchange=true \
ScanLogin__Seed__IdentitySource=wechat ScanLogin__Seed__AllowedOrigins__0="$origin" ScanLogin__Seed__TicketLifetime="${bench_ticket_lifetime:-00:02:00}" \
  dotnet src/Silo/bin/Release/net10.0/ScanLogin.Silo.dll >"$work/silo.log" 2>&1 &
silo_pid=$!; pids+=($silo_pid)
dotnet src/WebFront/bin/Release/net10.0/ScanLogin.WebFront.dll --urls "http://127.0.0.1:$web_port" >"$work/webfront.log" 2>&1 &
front_pid=$!; pids+=($front_pid)
dotnet tests/Benchmarks/RedisReference/bin/Release/net10.0/ScanLogin.RedisReference.dll --urls "http://127.0.0.1:$reference_port" >"$work/reference.log" 2>&1 &
reference_pid=$!; pids+=($reference_pid)

W=http://127.0.0.1:$web_port R=http://127.0.0.1:$reference_port E=http://127.0.0.1:$emulator_port
wait_http "$E/__emulator" 60 && wait_http "$W/readyz" 120 && wait_http "$R/ping" 60 \
  || { tail -n 20 "$work"/*.log; exit 1; }
