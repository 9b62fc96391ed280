#!/usr/bin/env bash
# Mutation testing (Stryker.NET) of the rule files against the unit and grain tests: ticket lifecycle, exchange
# proof, account policy, admin authorization, secrets and redaction, input validation. Each configuration in
# tests/UnitTests/mutation/ fails (non-zero exit) below its break threshold of 80%:
#   rules       the pure rule files of src/Grains (lifecycle, account policy, key ring, logo validation): minutes
#   grains      the ticket, user-pool and application grains, against the tests on the in-process test cluster only
#               (classes named *GrainTests, TicketStorageTests, AdminAuthenticationTests, AdminAuthorizationTests,
#               TicketImageTests), per-test coverage, two runners: every mutant run starts a test cluster
#   interfaces  ids, secrets, hashes, pool keys, secret-hiding records, statuses (src/Grains.Interfaces)
#   webfront    admin authentication, authorization and input validation (src/WebFront/Admin)
# Usage: deploy/mutation.sh [rules] [grains] [interfaces] [webfront]   (default: all four)
# Reports: artifacts/mutation/<name>/reports/mutation-report.html (and .json). Runs at nice 10: it gives way to other work.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dotnet >/dev/null 2>&1 || { echo "dotnet (the .NET 10 SDK) is required" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null

root=$PWD
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(rules interfaces webfront grains)
status=0
scores=()
cd tests/UnitTests
for name in "${configs[@]}"; do
  echo "==> mutation testing: $name (tests/UnitTests/mutation/$name.json)"
  mkdir -p "$root/artifacts/mutation"
  started=$SECONDS
  nice -n 10 dotnet stryker -f "mutation/$name.json" -O "$root/artifacts/mutation/$name" --skip-version-check 2>&1 \
    | tee "$root/artifacts/mutation/$name.log" || status=$?
  scores+=("$name: $(grep -o 'final mutation score is [0-9.]* %' "$root/artifacts/mutation/$name.log" | tail -1 || true) in $(( (SECONDS - started) / 60 )) min")
done
printf '==> %s\n' "${scores[@]}"
exit $status
