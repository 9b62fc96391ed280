#!/usr/bin/env bash
# Benchmarks: ticket creation throughput and confirm-to-browser latency, through the real front end,
# silo, PostgreSQL and Redis (started here, on free loopback ports). Usage: deploy/bench.sh [seconds] [clients] [samples]
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

ensure_tools
work=$(mktemp -d /tmp/scanlogin-bench.XXXXXX)
chmod 755 "$work"
trap 'stop_postgres "$work/postgres"; stop_redis "$work/redis"; rm -rf "$work"' EXIT
pg_port=$(free_port)
redis_port=$(free_port)
# Durable settings (fsync on), as in production: the figures include real commits.
start_postgres "$work/postgres" "$pg_port"
create_database "$pg_port" scanlogin_bench
start_redis "$work/redis" "$redis_port"
export SCANLOGIN_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=scanlogin_bench;Maximum Pool Size=200"
export SCANLOGIN_TEST_REDIS="127.0.0.1:$redis_port"
dotnet run -c Release --project tests/Benchmarks -- "$@"
