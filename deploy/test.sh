#!/usr/bin/env bash
# The whole test suite: installs what is missing, starts a private PostgreSQL and Redis on free
# loopback ports, runs every test project against them, and stops them again.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

ensure_tools
work=$(mktemp -d /tmp/scanlogin-test.XXXXXX)
chmod 755 "$work"
cleanup() {
  stop_postgres "$work/postgres"
  stop_redis "$work/redis"
  forget_ports
  rm -rf "$work"
}
trap cleanup EXIT

# fsync off: test data is thrown away, and the suite should not wait on the disk.
start_on_free_port pg_port start_postgres_at "$work/postgres" -c fsync=off -c synchronous_commit=off -c full_page_writes=off
create_database "$pg_port" scanlogin_test
start_on_free_port redis_port start_redis_at "$work/redis"
echo "==> PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"

export SCANLOGIN_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=scanlogin_test;Maximum Pool Size=100"
export SCANLOGIN_TEST_REDIS="127.0.0.1:$redis_port"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The official Authing JS SDK, exactly as locked, for tests/FunctionalTests/WebFront/Apis/Authing/AuthingSdkTests.cs.
npm ci --prefix tests/AuthingSdk --no-audit --no-fund --loglevel=error
# The stock openid-client, exactly as locked, for tests/FunctionalTests/WebFront/Oidc/OpenIdClientTests.cs.
npm ci --prefix tests/OpenIdClient --no-audit --no-fund --loglevel=error
# The mini program's type check, page tests and end-to-end run (tests/FunctionalTests/MiniProgram), exactly as locked.
npm ci --prefix tests/MiniProgram --no-audit --no-fund --loglevel=error
dotnet build ScanLogin.sln -c Release -nologo -v q
status=0
# A test that hangs is a failure that names itself: after 5 minutes without progress the run stops and lists what was running.
dotnet test ScanLogin.sln -c Release --no-build --nologo --blame-hang --blame-hang-timeout 5m --blame-hang-dump-type none 2>&1 \
  | tee "$work/test.log" || status=$?

# The mini program: tsc --noEmit over src/MiniProgram, then its page tests (jest, miniprogram-simulate, wx.* mocked).
(cd tests/MiniProgram && npx tsc --noEmit -p tsconfig.json && echo "tsc: type check passed" && npx jest --selectProjects pages --ci) 2>&1 \
  | tee "$work/miniprogram.log" || status=1
jest_count() { grep -E "^Tests:" "$work/miniprogram.log" | grep -Eo "[0-9]+ $1" | awk '{ s += $1 } END { print s + 0 }'; }
echo "Mini program: $(jest_count passed) passed, $(jest_count failed) failed"

# One plain closing line, summed over the test projects.
count() { grep -Eo "$1: +[0-9]+" "$work/test.log" | awk '{ s += $2 } END { print s + 0 }'; }
echo "Browser test screenshots: $PWD/tests/FunctionalTests/bin/Release/net10.0/browser-artifacts"
echo "$(( $(count Passed) + $(jest_count passed) )) passed, $(( $(count Failed) + $(jest_count failed) )) failed, $(count Skipped) skipped"
exit $status
