#!/usr/bin/env bash
# Runs the whole system locally: a private PostgreSQL and Redis, the WeChat emulator, one silo and
# the front end, all on 127.0.0.1. Prints where to open the demo and a curl walk through one login.
# Ctrl-C stops everything; running it again reuses the same data folder (.run/).
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

# Below Linux's ephemeral range (32768-60999), where an outgoing connection may already hold a port.
PG_PORT=${SCANLOGIN_PG_PORT:-25432}
REDIS_PORT=${SCANLOGIN_REDIS_PORT:-26379}
EMULATOR_PORT=${SCANLOGIN_EMULATOR_PORT:-5300}
WEB_PORT=${SCANLOGIN_WEB_PORT:-5000}
SAMPLE_PORT=${SCANLOGIN_SAMPLE_PORT:-5002}
SAMPLE2_PORT=${SCANLOGIN_SAMPLE2_PORT:-5003}
SILO_PORT=${SCANLOGIN_SILO_PORT:-11111}
GATEWAY_PORT=${SCANLOGIN_GATEWAY_PORT:-30000}
state=$PWD/.run

ensure_tools
mkdir -p "$state" && chmod 755 "$state"
pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "==> stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_redis "$state/redis"
  stop_postgres "$state/postgres"
  echo "==> stopped"
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

# Keys are made once per checkout and kept in .run/, so tokens and stored secrets survive restarts.
random_key() { head -c "$1" /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='; }
touch "$state/keys.env" && chmod 600 "$state/keys.env"
add_key() { grep -q "^$1=" "$state/keys.env" || echo "$1=$2" >>"$state/keys.env"; }
add_key ScanLogin__Keys__SecretEncryptionKey "$(head -c 32 /dev/urandom | base64 -w0)"
add_key DEMO_APP_SECRET "$(random_key 24)"
add_key DEMO_APP2_SECRET "$(random_key 24)"
add_key PLATFORM_KEY "slp_$(random_key 32)"
set -a; source "$state/keys.env"; set +a

echo "==> building"
dotnet build ScanLogin.sln -c Release -nologo -v q >"$state/build.log" 2>&1 || { cat "$state/build.log"; exit 1; }

echo "==> PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT"
start_postgres "$state/postgres" "$PG_PORT"
create_database "$PG_PORT" scanlogin
start_redis "$state/redis" "$REDIS_PORT"

export ConnectionStrings__PostgreSQL="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=scanlogin"
export ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT"
use_wechat_emulator "$EMULATOR_PORT"
# The silo and the front end talk over mutual TLS, as in production; the certificates are kept in .run/tls.
use_cluster_certificates "$state/tls" 30
export ScanLogin__Oidc__PublicBaseUrl="http://127.0.0.1:$WEB_PORT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "==> WeChat emulator on http://127.0.0.1:$EMULATOR_PORT"
Emulator__ScanLoginBaseAddress="http://127.0.0.1:$WEB_PORT/" \
  dotnet src/WeChatEmulator/bin/Release/net10.0/ScanLogin.WeChatEmulator.dll --urls "http://127.0.0.1:$EMULATOR_PORT" \
  >"$state/emulator.log" 2>&1 &
pids+=($!)

echo "==> silo (ports $SILO_PORT/$GATEWAY_PORT)"
# The demo page exchanges in the browser, so the demo pool turns browser exchange on (new pools have it off).
Orleans__SiloPort=$SILO_PORT Orleans__GatewayPort=$GATEWAY_PORT \
ScanLogin__Seed__PoolId=demo ScanLogin__Seed__AppId=demo-app ScanLogin__Seed__AppSecret="$DEMO_APP_SECRET" ScanLogin__Seed__BrowserExchange=true \
ScanLogin__Seed__AllowedOrigins__0="http://127.0.0.1:$WEB_PORT" ScanLogin__Seed__AllowedOrigins__1="http://127.0.0.1:$SAMPLE_PORT" \
ScanLogin__Seed__CallbackUrls__0="http://127.0.0.1:$SAMPLE_PORT/signin-oidc" ScanLogin__Seed__CallbackUrls__1="http://127.0.0.1:$SAMPLE_PORT/popup/callback" \
ScanLogin__Seed__CallbackUrls__2="http://127.0.0.1:$SAMPLE_PORT/signout-callback-oidc" ScanLogin__Seed__SessionEnabled=true \
ScanLogin__Seed__SecondAppId=demo-app-2 ScanLogin__Seed__SecondAppSecret="$DEMO_APP2_SECRET" \
ScanLogin__Seed__SecondAppAllowedOrigins__0="http://127.0.0.1:$SAMPLE2_PORT" ScanLogin__Seed__SecondAppCallbackUrls__0="http://127.0.0.1:$SAMPLE2_PORT/signin-oidc" \
ScanLogin__Seed__SecondAppCallbackUrls__1="http://127.0.0.1:$SAMPLE2_PORT/signout-callback-oidc" \
ScanLogin__Seed__LogoPath="$PWD/deploy/demo-logo.png" \
  dotnet src/Silo/bin/Release/net10.0/ScanLogin.Silo.dll >"$state/silo.log" 2>&1 &
pids+=($!)

echo "==> front end on http://127.0.0.1:$WEB_PORT"
# The front end keeps only the platform key's hash (the same purpose-tagged SHA-256 the code uses).
platform_hash=$(printf 'platform-key:%s' "$PLATFORM_KEY" | openssl dgst -sha256 -binary | base64 -w0 | tr '+/' '-_' | tr -d '=')
ScanLogin__Admin__PlatformKeyHashes__0="$platform_hash" \
  dotnet src/WebFront/bin/Release/net10.0/ScanLogin.WebFront.dll --urls "http://127.0.0.1:$WEB_PORT" >"$state/webfront.log" 2>&1 &
pids+=($!)

echo "==> sample site on http://127.0.0.1:$SAMPLE_PORT (signs in through the hosted login of pool demo)"
Oidc__Authority="http://127.0.0.1:$WEB_PORT/oidc/demo" Oidc__ClientId=demo-app Oidc__ClientSecret="$DEMO_APP_SECRET" \
  dotnet src/SampleSite/bin/Release/net10.0/ScanLogin.SampleSite.dll --urls "http://127.0.0.1:$SAMPLE_PORT" >"$state/sample.log" 2>&1 &
pids+=($!)

echo "==> second sample site on http://127.0.0.1:$SAMPLE2_PORT (another application of pool demo: single sign-on)"
Oidc__Authority="http://127.0.0.1:$WEB_PORT/oidc/demo" Oidc__ClientId=demo-app-2 Oidc__ClientSecret="$DEMO_APP2_SECRET" \
  dotnet src/SampleSite/bin/Release/net10.0/ScanLogin.SampleSite.dll --urls "http://127.0.0.1:$SAMPLE2_PORT" >"$state/sample2.log" 2>&1 &
pids+=($!)

# The operators' console: a client of the admin API above; sessions (the key, encrypted) survive restarts with keys in .run/.
CONSOLE_PORT=${SCANLOGIN_CONSOLE_PORT:-5100}
echo "==> operators' console on http://127.0.0.1:$CONSOLE_PORT"
ScanLogin__Console__AdminApiBaseUrl="http://127.0.0.1:$WEB_PORT/" ScanLogin__Console__DataProtectionKeysPath="$state/console-keys" \
  dotnet src/Console/bin/Release/net10.0/ScanLogin.Console.dll --urls "http://127.0.0.1:$CONSOLE_PORT" >"$state/console.log" 2>&1 &
pids+=($!)

wait_http "http://127.0.0.1:$EMULATOR_PORT/__emulator" 60 || { tail -20 "$state/emulator.log"; exit 1; }
wait_http "http://127.0.0.1:$WEB_PORT/readyz" 120 || { tail -n 30 "$state/silo.log" "$state/webfront.log"; exit 1; }
wait_http "http://127.0.0.1:$SAMPLE_PORT/" 60 || { tail -20 "$state/sample.log"; exit 1; }
wait_http "http://127.0.0.1:$SAMPLE2_PORT/" 60 || { tail -20 "$state/sample2.log"; exit 1; }

W=http://127.0.0.1:$WEB_PORT
E=http://127.0.0.1:$EMULATOR_PORT
cat <<EOT

ScanLogin is running.
  Sample site (OpenID Connect): http://127.0.0.1:$SAMPLE_PORT/   click "Log in", then scan with the phone simulator:
  Second sample site:       http://127.0.0.1:$SAMPLE2_PORT/   another application of the pool: "Log in" there signs in without a scan
  Phone simulator:          $E/__emulator/phone   (paste the code's link or upload a screenshot of it, create a user, Scan, Confirm)
  Pool "demo" as an OpenID Connect provider: $W/oidc/demo/.well-known/openid-configuration
  Demo (PC login page):     $W/            (shows the QR code and its live status)
  API reference (OpenAPI):  $W/docs      (document: $W/openapi/v1.json)
  Health:                   $W/healthz   $W/readyz
  WeChat emulator:          $E/__emulator
  Logs:                     $state/*.log
  Demo tenant: pool "demo", application "demo-app" (secret in .run/keys.env), identity source "wechat-scan".
  Admin API:                $W/admin/v1/pools   with  Authorization: Bearer \$PLATFORM_KEY  (in .run/keys.env)

One login with curl (needs jq); paste line by line:

  # the site's backend: ask for a ticket (no browser Origin, so it shows the application's credentials), keep its id
  source .run/keys.env
  T=\$(curl -s -X POST $W/api/tickets -u "demo-app:\$DEMO_APP_SECRET" -H 'content-type: application/json' -d '{"appId":"demo-app","identitySource":"wechat-scan"}')
  ID=\$(echo "\$T" | jq -r .ticketId)
  # PC: wait for a change (long-poll, returns at once on scan/confirm)
  curl -s "$W/api/tickets/\$ID/wait?version=1&timeout=60" &
  # phone: a WeChat user of the default mini program, and its wx.login and phone-number codes
  OPENID=\$(curl -s -X POST $E/__emulator/users -H 'content-type: application/json' -d '{"appId":"$EMULATOR_APP_ID","nickname":"Mei","phoneNumber":"13800138000"}' | jq -r .openId)
  CODE=\$(curl -s -X POST $E/__emulator/login-code -H 'content-type: application/json' -d "{\"appId\":\"$EMULATOR_APP_ID\",\"openId\":\"\$OPENID\"}" | jq -r .code)
  SCAN=\$(curl -s -X POST $W/api/mini-program/tickets/\$ID/scan -H 'content-type: application/json' -d "{\"loginCode\":\"\$CODE\",\"nickname\":\"Mei\"}"); echo "\$SCAN"
  PHONE=\$(curl -s -X POST $E/__emulator/phone-code -H 'content-type: application/json' -d "{\"appId\":\"$EMULATOR_APP_ID\",\"openId\":\"\$OPENID\"}" | jq -r .code)
  curl -s -X POST $W/api/mini-program/tickets/\$ID/confirm -H 'content-type: application/json' -d "{\"scanToken\":\"\$(echo "\$SCAN" | jq -r .scanToken)\",\"phoneCode\":\"\$PHONE\"}"
  # PC: the status now carries the one-time exchange code; the backend trades it for the user, an ID token and an access token
  XCODE=\$(curl -s $W/api/tickets/\$ID | jq -r .exchangeCode)
  GRANT=\$(curl -s -X POST $W/api/tickets/exchange -u "demo-app:\$DEMO_APP_SECRET" -H 'content-type: application/json' -d "{\"code\":\"\$XCODE\"}"); echo "\$GRANT"
  # a site verifies the tokens against the pool's published keys: the ID token's claims, and the JWKS
  echo "\$GRANT" | jq -r .idToken | cut -d. -f2 | tr '_-' '/+' | base64 -d 2>/dev/null; echo
  curl -s $W/oidc/demo/jwks

Press Ctrl-C to stop.
EOT
wait_http "http://127.0.0.1:$CONSOLE_PORT/signin" 60 || { tail -20 "$state/console.log"; exit 1; }
cat <<EOT
Operators' console:         http://127.0.0.1:$CONSOLE_PORT/   sign in with the platform key, PLATFORM_KEY in .run/keys.env:
                            grep PLATFORM_KEY .run/keys.env
  Create a pool, an application and an identity source there, then "Try login" on the application's page and scan
  with the phone simulator ($E/__emulator/phone). Log: $state/console.log
EOT
wait -n "${pids[@]}" || true
echo "a process exited unexpectedly; see $state/*.log" >&2
exit 1
