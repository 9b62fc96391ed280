#!/usr/bin/env bash
# Benchmarks. `deploy/bench.sh http [seconds] [connections] [threads]`: ScanLogin's processes against the hand-written
# Redis back end with wrk (deploy/bench-http.sh). `deploy/bench.sh waiters [browsers]`: memory per live ticket (silo) and per
# waiting browser (front end), browsers in another process (deploy/bench-waiters.sh). Otherwise: ticket creation throughput and confirm-to-browser latency, through the real front end,
# silo, PostgreSQL and Redis (started here, on free loopback ports). Usage: deploy/bench.sh [seconds] [clients] [samples]
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh
[ "${1:-}" = http ] && exec bash deploy/bench-http.sh "${@:2}"
[ "${1:-}" = waiters ] && exec bash deploy/bench-waiters.sh "${@:2}"

ensure_tools
work=$(mktemp -d /tmp/scanlogin-bench.XXXXXX)
chmod 755 "$work"
trap 'stop_postgres "$work/postgres"; stop_redis "$work/redis"; rm -rf "$work"' EXIT
# Durable settings (fsync on), as in production: the figures include real commits.
start_on_free_port pg_port start_postgres_at "$work/postgres" ${SCANLOGIN_BENCH_PG_OPTIONS:-}
create_database "$pg_port" scanlogin_bench
start_on_free_port redis_port start_redis_at "$work/redis"
echo "==> PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"
export SCANLOGIN_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=scanlogin_bench;Maximum Pool Size=200"
export SCANLOGIN_TEST_REDIS="127.0.0.1:$redis_port"
dotnet run -c Release --project tests/Benchmarks -- "$@"
