#!/usr/bin/env bash
# HTTP benchmark, ScanLogin against the hand-written Redis back end (tests/Benchmarks/RedisReference), in one run.
# Usage: deploy/bench.sh http [seconds] [connections] [threads] [login clients]
# ScanLogin runs as deploy/run.sh lays it out: PostgreSQL, Redis, the WeChat emulator, one silo and one front end,
# each its own process; the reference is a fourth process on the same Redis. wrk drives both with the same settings.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

seconds=${1:-8} connections=${2:-64} threads=${3:-2} login_clients=${4:-16}
ensure_tools
ensure_command wrk wrk
if [ -n "${SCANLOGIN_BENCH_TRACE:-}" ]; then
  export PATH="$PATH:$HOME/.dotnet/tools" SCANLOGIN_BENCH_KEEP=1
  command -v dotnet-trace >/dev/null || dotnet tool install -g dotnet-trace >/dev/null
fi
# SCANLOGIN_BENCH_PERF=front|silo: on-CPU samples of that process (Linux perf, JIT'd frames named through perf maps)
# during the traced row: where its CPU goes, unlike the thread-time trace, which mostly shows threads waiting.
if [ -n "${SCANLOGIN_BENCH_PERF:-}" ]; then
  ensure_command perf linux-perf
  export SCANLOGIN_BENCH_KEEP=1
fi
source deploy/bench-start.sh
create_body='{"appId":"bench-app","identitySource":"wechat"}'
# The seed runs once the silo is up; wait until a ticket can be made.
for i in $(seq 1 100); do
  ticket=$(curl -s -X POST "$W/api/tickets" -H 'content-type: application/json' -H "Origin: $origin" -d "$create_body" \
    | sed -n 's/.*"ticketId":"\([^"]*\)".*/\1/p')
  [ -n "$ticket" ] && break; sleep 0.2
done
[ -n "$ticket" ] || { echo "could not create a ticket" >&2; tail -n 20 "$work"/*.log; exit 1; }
qr=$(curl -s -X POST "$R/qr" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')

echo "==> PostgreSQL :$pg_port, Redis :$redis_port, silo pid $silo_pid, front end pid $front_pid ($W), reference $R"
# Warm-up before each row: long enough for tiered compilation to finish the row's code (a profile of the front end
# showed its tiering thread compiling for the first 2 s of a row after a 2 s warm-up: 16% of its CPU in that row).
warmup=${SCANLOGIN_BENCH_WARMUP:-6}
echo "==> wrk -t$threads -c$connections -d${seconds}s for each row (after a ${warmup} s warm-up of each); $(nproc) cores shared by everything"
declare -A rps errors
run_wrk() { # NAME URL [post BODY ORIGIN | spread PATHS-FILE]
  local name=$1 url=$2 script=() out
  if [ "${3:-}" = post ]; then script=(-s deploy/wrk/post.lua); export WRK_BODY=$4 WRK_ORIGIN=$5; fi
  if [ "${3:-}" = spread ]; then script=(-s deploy/wrk/spread.lua); export WRK_PATHS=$4 WRK_THREADS=$threads; fi
  wrk -t"$threads" -c"$connections" -d"${warmup}s" "${script[@]}" "$url" >/dev/null
  # SCANLOGIN_BENCH_TRACE=silo|front: a CPU sample trace (dotnet-trace) of that process during ScanLogin's create row
  # (SCANLOGIN_BENCH_TRACE_ROW=scanlogin-status-read, or any row's name, traces that row instead).
  local tracer=""
  if [ "$name" = "${SCANLOGIN_BENCH_TRACE_ROW:-scanlogin-create}" ] && [ -n "${SCANLOGIN_BENCH_TRACE:-}" ]; then
    local traced=$silo_pid; [ "$SCANLOGIN_BENCH_TRACE" = front ] && traced=$front_pid
    dotnet-trace collect -p "$traced" --profile dotnet-sampled-thread-time --duration "00:00:00:$(printf %02d "$seconds")" \
      -o "$work/$name-$SCANLOGIN_BENCH_TRACE.nettrace" >"$work/trace.log" 2>&1 &
    tracer=$!
  fi
  if [ "$name" = "${SCANLOGIN_BENCH_TRACE_ROW:-scanlogin-create}" ] && [ -n "${SCANLOGIN_BENCH_PERF:-}" ]; then
    local sampled=$silo_pid; [ "$SCANLOGIN_BENCH_PERF" = front ] && sampled=$front_pid
    perf record -F 999 -g -p "$sampled" -o "$work/$name-$SCANLOGIN_BENCH_PERF.perf" -- sleep "$seconds" >"$work/perf.log" 2>&1 &
    tracer=$!
  fi
  # CPU time each server process spends per request (user + system, from /proc): unlike rps, hardly moved by the
  # other load on a shared machine.
  local before=() after=() procs=("$front_pid" "$silo_pid" "$reference_pid" "$(cat "$work/redis/redis.pid")") i
  for i in "${procs[@]}"; do before+=("$(cpu_ticks "$i")"); done
  local steal_before; steal_before=$(steal_ticks)
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "${script[@]}" "$url")
  for i in "${procs[@]}"; do after+=("$(cpu_ticks "$i")"); done
  local steal=$(( ($(steal_ticks) - steal_before) * 1000 / $(getconf CLK_TCK) ))
  echo "$out" >"$work/wrk-$name.txt"
  if [ -n "$tracer" ]; then
    wait "$tracer" || true
    if [ -n "${SCANLOGIN_BENCH_PERF:-}" ]; then
      local report=$work/$name-$SCANLOGIN_BENCH_PERF
      perf report -i "$report.perf" --no-children --sort sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -60 >"$report-self.txt" || true
      perf report -i "$report.perf" --children --sort sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -150 >"$report-inclusive.txt" || true
      echo "   perf: $report.perf (self: $report-self.txt, inclusive: $report-inclusive.txt)"
    else
      dotnet-trace report "$work/$name-$SCANLOGIN_BENCH_TRACE.nettrace" topN -n 40 --inclusive >"$work/$name-$SCANLOGIN_BENCH_TRACE-top.txt" 2>&1 || true
      echo "   trace: $work/$name-$SCANLOGIN_BENCH_TRACE.nettrace (top methods: $work/$name-$SCANLOGIN_BENCH_TRACE-top.txt)"
    fi
  fi
  rps[$name]=$(echo "$out" | awk '/^Requests\/sec/ { print $2 }')
  errors[$name]=$(echo "$out" | awk '/Non-2xx/ { n = $NF } /Socket errors/ { s = $0 } END { print (n ? n : 0) (s ? " (" s ")" : "") }')
  printf '%-28s %10.0f req/s  p50 %8s  p99 %8s  non-2xx %s\n' "$name" "${rps[$name]}" \
    "$(echo "$out" | awk '$1 == "50%" { print $2 }')" "$(echo "$out" | awk '$1 == "99%" { print $2 }')" "${errors[$name]}"
  local requests; requests=$(echo "$out" | awk '/requests in/ { print $1 }')
  printf '%-28s CPU per request: front end %s, silo %s, reference %s, Redis %s; threads: front end %s, silo %s, reference %s; CPU stolen by the host %s ms\n' "" \
    "$(cpu_per "${before[0]}" "${after[0]}" "$requests")" "$(cpu_per "${before[1]}" "${after[1]}" "$requests")" \
    "$(cpu_per "${before[2]}" "${after[2]}" "$requests")" "$(cpu_per "${before[3]}" "${after[3]}" "$requests")" \
    "$(threads_of "$front_pid")" "$(threads_of "$silo_pid")" "$(threads_of "$reference_pid")" "$steal"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
threads_of() { awk '/^Threads/ { print $2 }' "/proc/$1/status"; }
# Time the hypervisor gave this machine's cores to someone else during a row (a slower row for every process alike).
steal_ticks() { awk '/^cpu / { print $9 }' /proc/stat; }
cpu_per() { awk -v a="$1" -v b="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f us", (b - a) * 1e6 / hz / n }'; }
run_wrk scanlogin-trivial "$W/healthz"
run_wrk reference-trivial "$R/ping"
run_wrk scanlogin-status-read "$W/api/tickets/$ticket"
run_wrk reference-status-read "$R/qr/$qr"
# Status reads spread over many tickets, one reader per ticket at a time (a PC page polling its own code): ScanLogin's
# plain read is then one status call that does not subscribe (the hot single-ticket row above is read through a watch).
spread=${SCANLOGIN_BENCH_SPREAD:-512}
: >"$work/spread-scanlogin.txt"; : >"$work/spread-reference.txt"
for i in $(seq 1 "$spread"); do
  id=$(curl -s -X POST "$W/api/tickets" -H 'content-type: application/json' -H "Origin: $origin" -d "$create_body" \
    | sed -n 's/.*"ticketId":"\([^"]*\)".*/\1/p')
  [ -n "$id" ] && echo "/api/tickets/$id" >>"$work/spread-scanlogin.txt"
  id=$(curl -s -X POST "$R/qr" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
  [ -n "$id" ] && echo "/qr/$id" >>"$work/spread-reference.txt"
done
[ "$(wc -l <"$work/spread-scanlogin.txt")" -eq "$spread" ] && [ "$(wc -l <"$work/spread-reference.txt")" -eq "$spread" ] \
  || { echo "could not create $spread tickets for the spread rows" >&2; exit 1; }
run_wrk scanlogin-status-spread "$W/" spread "$work/spread-scanlogin.txt"
run_wrk reference-status-spread "$R/" spread "$work/spread-reference.txt"
run_wrk scanlogin-create "$W/api/tickets" post "$create_body" "$origin"
run_wrk reference-create "$R/qr" post "" ""

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
echo
echo "ratios (same run):"
echo "  create:      ScanLogin / reference create       = $(ratio "${rps[scanlogin-create]}" "${rps[reference-create]}")   (target >= 0.5x)"
echo "  status read: ScanLogin / its trivial endpoint   = $(ratio "${rps[scanlogin-status-read]}" "${rps[scanlogin-trivial]}")   (target >= 0.6x)"
echo "  status read: ScanLogin / reference read         = $(ratio "${rps[scanlogin-status-read]}" "${rps[reference-status-read]}")   (target >= 1.0x)"
echo "  spread read: ScanLogin / reference, ${spread} tickets = $(ratio "${rps[scanlogin-status-spread]}" "${rps[reference-status-spread]}")   (one reader per ticket: plain status calls)"
echo "  trivial:     ScanLogin / reference /ping        = $(ratio "${rps[scanlogin-trivial]}" "${rps[reference-trivial]}")"
echo "  process memory after the run: silo $(awk '/VmRSS/ { print $2, $3 }' /proc/$silo_pid/status), front end $(awk '/VmRSS/ { print $2, $3 }' /proc/$front_pid/status)"
echo
dotnet tests/Benchmarks/bin/Release/net10.0/ScanLogin.Benchmarks.dll login "$W" "$E/" bench-app wechat "$origin" "$seconds" "$login_clients"
