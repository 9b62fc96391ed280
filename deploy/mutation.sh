#!/usr/bin/env bash
# Mutation testing (Stryker.NET) of the rule files against the unit and grain tests: ticket lifecycle, exchange
# proof, account policy, admin authorization, secrets and redaction, input validation. Each configuration in
# tests/UnitTests/mutation/ fails (non-zero exit) below its break threshold of 80%:
#   rules       the pure rule files of src/Grains (lifecycle, account policy, key ring, logo validation): minutes
#   grains      the ticket grain and the owners it delegates to (the desk, the access policy, the phone's WeChat identity,
#               the exchange, binding, pictures and read pacing), the user-pool and application grains, against the tests
#               on the in-process test cluster and those owners' unit tests, per-test coverage, two runners: every mutant
#               run starts a test cluster
#   interfaces  ids, secrets, hashes, pool keys, secret-hiding records, statuses (src/Grains.Interfaces)
#   webfront    admin authentication, authorization and input validation (src/WebFront/Admin)
#   oidc        all of src/Grains/Oidc and src/Grains/Tokens (hosted-login grain and store, try login, token rules, the
#               issuer, signing keys and their settings), against their unit and in-process cluster tests and two HTTP
#               classes (AuthorizationStorageTests for the Redis store, TokenTests)
#   hosted      the hosted login in src/WebFront/Oidc (authorize, the login page and its calls, binding, headers, HTML,
#               forms, the issuer), against their unit tests and the HTTP classes OidcProtocolTests and
#               HostedLoginRequesterTests (no browser tests)
#   tokenapi    the token and userinfo endpoints and OAuth client authentication (src/WebFront/Oidc/OidcTokenApi.cs,
#               OAuthClientCredentials.cs), against OidcProtocolTests and TokenTests
#   sessions    the rest of src/WebFront/Oidc: pool hosts and custom domains, the direct login link, the pool session,
#               refresh tokens, revocation, end_session, branding; against their unit tests and the HTTP classes
#               PoolHostTests, CustomDomainTests, ConnectionLinkTests, PoolSessionTests, OidcEndpointDescriptionTests,
#               BrandedPageTests, BrandingApiTests
#   limits      the leased limiter and the request bounds (src/WebFront/RateLimits), against the unit tests only
#   abuse       the abuse hooks and the unknown-id cache (src/WebFront/RateLimits), against their unit tests (AbuseLimitRulesTests,
#               UnknownIdsTests) and the HTTP classes UnknownIdCostTests, AnonymousCostTests, RateLimitApiTests and RateLimitTests
#               (one cluster per test run)
#   (HTTP tests start a silo and two front ends on every test run, tens of seconds each on a busy machine: the
#   configurations that use them name a few classes only. Browser tests are never used.
#   A configuration that lists "test-projects" runs from its source project, on a private PostgreSQL and Redis the
#   script starts, as deploy/test.sh does.)
# Usage: deploy/mutation.sh [rules] [grains] [interfaces] [webfront] [oidc] [hosted] [tokenapi] [sessions] [limits] [abuse]   (default: all ten)
# Reports: artifacts/mutation/<name>/reports/mutation-report.html (and .json). Runs at nice 10: it gives way to other work.
# Build nothing in Release in this working tree while it runs (deploy/test.sh, deploy/bench.sh): the mutated assemblies sit in
# the test project's Release output, and a rebuild there makes every later mutant the plain code.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dotnet >/dev/null 2>&1 || { echo "dotnet (the .NET 10 SDK) is required" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null

root=$PWD
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(rules interfaces webfront grains oidc hosted tokenapi sessions limits abuse)
status=0
scores=()

# A configuration that names test projects runs from its source project, and its functional tests need PostgreSQL and Redis.
uses_services() { grep -q '"test-projects"' "$root/tests/UnitTests/mutation/$1.json"; }
services=""
for name in "${configs[@]}"; do if uses_services "$name"; then services=yes; fi; done
if [ -n "$services" ] && [ -z "${SCANLOGIN_TEST_POSTGRES:-}" ]; then
  source deploy/lib.sh
  ensure_tools
  work=$(mktemp -d /tmp/scanlogin-mutation.XXXXXX)
  chmod 755 "$work"
  cleanup() { stop_postgres "$work/postgres"; stop_redis "$work/redis"; forget_ports; rm -rf "$work"; }
  trap cleanup EXIT
  start_on_free_port pg_port start_postgres_at "$work/postgres" -c fsync=off -c synchronous_commit=off -c full_page_writes=off
  create_database "$pg_port" scanlogin_test
  start_on_free_port redis_port start_redis_at "$work/redis"
  export SCANLOGIN_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=scanlogin_test;Maximum Pool Size=100"
  export SCANLOGIN_TEST_REDIS="127.0.0.1:$redis_port"
fi

for name in "${configs[@]}"; do
  config="$root/tests/UnitTests/mutation/$name.json"
  echo "==> mutation testing: $name (tests/UnitTests/mutation/$name.json)"
  mkdir -p "$root/artifacts/mutation"
  started=$SECONDS
  if uses_services "$name"; then
    project=$(grep -o '"project": *"[^"]*"' "$config" | sed 's/.*"\([^"]*\)\.csproj"/\1/')
    cd "$root/src/$project"
  else
    cd "$root/tests/UnitTests"
  fi
  nice -n 10 dotnet stryker -f "$config" -O "$root/artifacts/mutation/$name" --skip-version-check 2>&1 \
    | tee "$root/artifacts/mutation/$name.log" || status=$?
  scores+=("$name: $(grep -o 'final mutation score is [0-9.]* %' "$root/artifacts/mutation/$name.log" | tail -1 || true) in $(( (SECONDS - started) / 60 )) min")
done
printf '==> %s\n' "${scores[@]}"
exit $status
