#!/usr/bin/env bash
# What live tickets cost the silo process and what waiting browsers cost the front-end process, each measured alone:
# ScanLogin runs as deploy/run.sh lays it out, the browsers run in a process of their own (tests/Benchmarks `browsers`).
# Usage: deploy/bench.sh waiters [browsers] [warm-up tickets] [confirm samples]
# Memory is measured twice, as process memory (VmRSS) and as managed heap after a full GC (dotnet-gcdump forces one),
# once after the warm-up tickets and once after the measured items, so one-off growth (JIT, pools, caches) is not counted.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

count=${1:-19000} warm=${2:-2000} samples=${3:-100}
ensure_tools
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-gcdump >/dev/null || dotnet tool install -g dotnet-gcdump >/dev/null
command -v dotnet-counters >/dev/null || dotnet tool install -g dotnet-counters >/dev/null
bench_ticket_lifetime=00:10:00 # the measurement must end before the first tickets expire
source deploy/bench-start.sh
for i in $(seq 1 100); do
  curl -fs -o /dev/null -X POST "$W/api/tickets" -H 'content-type: application/json' -H "Origin: $origin" \
    -d '{"appId":"bench-app","identitySource":"wechat"}' && break
  sleep 0.2
done

# measure NAME PID: sets NAME_rss (bytes), NAME_heap (bytes, after a full GC), NAME_threads.
measure() {
  local name=$1 pid=$2 heap
  # The gcdump forces a full, compacting GC and keeps the type breakdown; the heap figure is the runtime's own
  # (live bytes after that GC: size minus fragmentation, over all generations), as the dump may drop objects.
  dotnet-gcdump collect -p "$pid" -o "$work/$name.gcdump" >/dev/null 2>&1
  dotnet-counters collect -p "$pid" --counters System.Runtime --format csv --duration 00:00:00:03 -o "$work/$name.csv" >/dev/null 2>&1
  heap=$(awk -F, '/last_collection.heap.size/ { size[$3] = $5 } /last_collection.heap.fragmentation.size/ { free[$3] = $5 }
    END { for (k in size) t += size[k]; for (k in free) t -= free[k]; print t }' "$work/$name.csv")
  printf -v "${name}_heap" '%s' "$heap"
  printf -v "${name}_rss" '%s' "$(awk '/VmRSS/ { print $2 * 1024 }' "/proc/$pid/status")"
  printf -v "${name}_threads" '%s' "$(awk '/Threads/ { print $2 }' "/proc/$pid/status")"
}
per() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.0f", (b - a) / n }'; }
mb() { awk -v a="$1" 'BEGIN { printf "%.1f MB", a / 1e6 }'; }

echo "==> browsers process: $count waiting browsers (half long-poll, half SSE), $warm warm-up tickets, $samples confirm samples"
coproc DRIVER { exec dotnet tests/Benchmarks/bin/Release/net10.0/ScanLogin.Benchmarks.dll browsers "$W" "$E/" bench-app wechat "$origin" "$count" "$warm" "$samples" 2>&1; }
driver_pid=$DRIVER_PID
next_phase() {
  local line
  while IFS= read -r line <&"${DRIVER[0]}"; do
    echo "   browsers: $line"
    [[ $line == READY* ]] && return 0
  done
  echo "the browsers process ended early" >&2; exit 1
}
go() { echo go >&"${DRIVER[1]}"; }

next_phase; measure silo1 "$silo_pid"; go
next_phase; measure silo2 "$silo_pid"; measure front1 "$front_pid"; go
next_phase; measure front2 "$front_pid"; measure silo3 "$silo_pid"; go
while IFS= read -r line <&"${DRIVER[0]}"; do echo "   browsers: $line"; done
wait "$driver_pid" || true

items=$((count + samples))
echo
echo "live tickets in the silo process alone ($items more tickets, pending but for $samples scanned):"
echo "  managed heap $(mb "$silo1_heap") -> $(mb "$silo2_heap") = $(per "$silo1_heap" "$silo2_heap" "$items") bytes per live ticket"
echo "  process memory $(mb "$silo1_rss") -> $(mb "$silo2_rss") = $(per "$silo1_rss" "$silo2_rss" "$items") bytes per live ticket   (target <= 2560)"
echo "the same tickets watched (a browser waits on each, so each ticket's grain is active and holds the front end's watch):"
echo "  managed heap $(mb "$silo1_heap") -> $(mb "$silo3_heap") = $(per "$silo1_heap" "$silo3_heap" "$items") bytes per watched ticket"
echo "  process memory $(mb "$silo1_rss") -> $(mb "$silo3_rss") = $(per "$silo1_rss" "$silo3_rss" "$items") bytes per watched ticket"
echo "waiting browsers on the front-end process alone ($items browsers in another process):"
echo "  managed heap $(mb "$front1_heap") -> $(mb "$front2_heap") = $(per "$front1_heap" "$front2_heap" "$items") bytes per waiting browser"
echo "  process memory $(mb "$front1_rss") -> $(mb "$front2_rss") = $(per "$front1_rss" "$front2_rss" "$items") bytes per waiting browser   (target < 10240)"
echo "  threads $front1_threads -> $front2_threads"
echo "type breakdown: dotnet-gcdump report $work/silo2.gcdump (kept with SCANLOGIN_BENCH_KEEP=1)"
