#!/usr/bin/env bash
# A cluster on this machine: N silos and M front ends as separate processes on 127.0.0.1, clustered through Redis,
# durable state in PostgreSQL, WeChat played by the emulator. Everything lives in a throw-away folder.
#
#   deploy/cluster.sh N M                        # start it, print the URLs, Ctrl-C stops everything
#   deploy/cluster.sh N M load SECONDS [FAULT]   # start it, run sustained logins (tests/Benchmarks load) through
#                                                # an optional FAULT, print the figures, stop; exit 1 if a check fails
# FAULT (at a third of the run): kill-silo (SIGKILL one silo), kill-frontend (SIGKILL one front end),
#   restart-postgres, restart-redis. Environment: LOAD_CONCURRENCY (16), CLUSTER_KEEP_LOGS=1 (keep the processes' logs).
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

silos=${1:?usage: deploy/cluster.sh N M [load SECONDS [FAULT]]}; fronts=${2:?usage: deploy/cluster.sh N M [load SECONDS [FAULT]]}
mode=${3:-run}; seconds=${4:-30}; fault=${5:-}

ensure_tools
work=$(mktemp -d /tmp/scanlogin-cluster.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_postgres "$work/postgres"
  stop_redis "$work/redis"
  forget_ports
  sleep 0.5
  if [ -n "${CLUSTER_KEEP_LOGS:-}" ]; then echo "logs kept in $work"; else rm -rf "$work" 2>/dev/null || true; fi
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build ScanLogin.sln -c Release -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

start_on_free_port pg_port start_postgres_at "$work/postgres"
create_database "$pg_port" scanlogin
start_on_free_port redis_port start_redis_at "$work/redis"
# Orleans keeps its membership table in Redis: with persistence a restarted Redis still knows the cluster (without
# it the silos find the table gone and stop). Append-only file, written every second.
redis-cli -h 127.0.0.1 -p "$redis_port" CONFIG SET appendonly yes >/dev/null
postgres="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=scanlogin"
emulator_port=$(free_port)
platform_key="slp_$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')"
platform_hash=$(printf 'platform-key:%s' "$platform_key" | openssl dgst -sha256 -binary | base64 -w0 | tr '+/' '-_' | tr -d '=')
front_ports=(); for i in $(seq 1 "$fronts"); do front_ports+=("$(free_port)"); done
origin="http://127.0.0.1:${front_ports[0]}"

export DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
export ConnectionStrings__PostgreSQL="$postgres" ConnectionStrings__Redis="127.0.0.1:$redis_port"
export Orleans__ClusterId="cluster-$$"
export ScanLogin__Keys__SecretEncryptionKey="$(head -c 32 /dev/urandom | base64 -w0)"
use_wechat_emulator "$emulator_port"
use_cluster_certificates "$work/tls"
export ScanLogin__Oidc__PublicBaseUrl="$origin"
export ScanLogin__Admin__PlatformKeyHashes__0="$platform_hash"
export Logging__LogLevel__Default=Warning Logging__Console__FormatterName=simple
# The whole load comes from one address and a crowd of emulated users: lift every abuse limit for it.
lift_abuse_limits

dotnet src/WeChatEmulator/bin/Release/net10.0/ScanLogin.WeChatEmulator.dll --urls "http://127.0.0.1:$emulator_port" >"$work/emulator.log" 2>&1 &
pids+=($!)
silo_pids=(); silo_metrics=()
for i in $(seq 1 "$silos"); do
  silo_metrics+=("$(free_port)")
  Orleans__SiloPort=$(free_port) Orleans__GatewayPort=$(free_port) ScanLogin__Telemetry__MetricsPort="${silo_metrics[-1]}" \
  ScanLogin__Seed__PoolId=demo ScanLogin__Seed__AppId=demo-app ScanLogin__Seed__AppSecret=demo-secret-0123456789 \
  ScanLogin__Seed__AllowedOrigins__0="$origin" \
    dotnet src/Silo/bin/Release/net10.0/ScanLogin.Silo.dll >"$work/silo-$i.log" 2>&1 &
  pids+=($!); silo_pids+=($!)
done
front_pids=(); front_urls=()
for port in "${front_ports[@]}"; do
  dotnet src/WebFront/bin/Release/net10.0/ScanLogin.WebFront.dll --urls "http://127.0.0.1:$port" >"$work/webfront-$port.log" 2>&1 &
  pids+=($!); front_pids+=($!); front_urls+=("http://127.0.0.1:$port")
done
wait_http "http://127.0.0.1:$emulator_port/__emulator" 60
for url in "${front_urls[@]}"; do wait_http "$url/readyz" 120 || { tail -n 40 "$work"/*.log; exit 1; }; done
# Every silo has joined before the load starts.
for i in $(seq 1 300); do
  n=$(curl -fsS "${front_urls[0]}/readyz" | sed -E 's/.*"activeSilos":([0-9]+).*/\1/')
  [ "$n" = "$silos" ] && break; sleep 0.2
done
echo "==> $silos silo(s) (pids ${silo_pids[*]}), $fronts front end(s): ${front_urls[*]}"
echo "    PostgreSQL 127.0.0.1:$pg_port, Redis 127.0.0.1:$redis_port, emulator http://127.0.0.1:$emulator_port, logs in $work"

if [ "$mode" != load ]; then
  echo "    platform key: $platform_key"
  echo "Press Ctrl-C to stop."
  wait -n "${pids[@]}" || true
  echo "a process exited; see $work/*.log" >&2
  exit 1
fi

case "$fault" in
  "") fault_cmd="" ;;
  kill-silo) fault_cmd="kill -9 ${silo_pids[$((silos - 1))]}" ;;
  kill-frontend) fault_cmd="kill -9 ${front_pids[$((fronts - 1))]}" ;;
  restart-postgres) fault_cmd="source deploy/lib.sh; stop_postgres $work/postgres; sleep 3; start_postgres $work/postgres $pg_port" ;;
  restart-redis) fault_cmd="redis-cli -h 127.0.0.1 -p $redis_port shutdown; sleep 3; redis-server --port $redis_port --bind 127.0.0.1 --daemonize yes \
    --dir $work/redis --pidfile $work/redis/redis.pid --logfile $work/redis/redis.log --save '' --appendonly yes" ;;
  *) echo "unknown fault $fault" >&2; exit 2 ;;
esac
args=(load "fronts=$(IFS=,; echo "${front_urls[*]}")" "emulator=http://127.0.0.1:$emulator_port" "seconds=$seconds"
  "concurrency=${LOAD_CONCURRENCY:-16}" "origin=$origin" "postgres=$postgres" "fault-at=$((seconds / 3))" check=true)
[ -n "$fault_cmd" ] && args+=("fault=$fault_cmd")
status=0
dotnet tests/Benchmarks/bin/Release/net10.0/ScanLogin.Benchmarks.dll "${args[@]}" || status=$?

# The operators' view of the same run, from outside the processes: the front end's HTTP and push metrics (behind the
# platform key) and the first silo's ticket counters (its own metrics port) counted the logins.
metric() { # metric URL NAME [AUTH]: the sum of NAME's samples in a Prometheus scrape of URL
  local auth=(); [ -n "${3:-}" ] && auth=(-H "Authorization: Bearer $3")
  curl -fsS "${auth[@]}" "$1" | awk -v n="$2" 'index($0, n "{") == 1 || index($0, n " ") == 1 {
    v = $0; if (!sub(/^[^ {]*\{.*\} /, "", v)) sub(/^[^ ]+ /, "", v); split(v, f, " "); s += f[1] } END { print s + 0 }'
}
for m in http_server_request_duration_seconds_count scanlogin_confirm_to_browser_duration_seconds_count; do
  v=$(metric "${front_urls[0]}/metrics" "$m" "$platform_key") || v=0
  echo "metrics: front end $m = $v"
  awk -v v="$v" 'BEGIN { exit !(v > 0) }' || { echo "check failed: the front end's $m did not count the logins" >&2; status=1; }
done
v=$(metric "http://127.0.0.1:${silo_metrics[0]}/metrics" scanlogin_tickets_total) || v=0
echo "metrics: silo 1 scanlogin_tickets_total = $v"
awk -v v="$v" 'BEGIN { exit !(v > 0) }' || { echo "check failed: silo 1 counted no ticket event" >&2; status=1; }
grep -hE "fail|Exception" "$work"/silo-*.log "$work"/webfront-*.log 2>/dev/null | sort | uniq -c | sort -rn | head -5 || true
exit $status
