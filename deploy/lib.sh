# Shared shell functions for the run, test and benchmark commands: install what is missing and
# start private PostgreSQL and Redis servers on loopback. Source it; do not run it.

# Installs Debian packages the project needs when their commands are missing (root or sudo).
ensure_tools() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
  command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)
  # the Authing JS SDK tests run the official SDK in node
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  pg_bin_dir >/dev/null 2>&1 || missing+=(postgresql)
  # The browser tests drive Debian's Chromium through Playwright (no browser download).
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing ${missing[*]}"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    # Another install may hold dpkg's lock (parallel runs on one machine): wait for it rather than fail.
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
    # Debian starts a system-wide PostgreSQL and Redis on install; ours are private, so stop theirs.
    $sudo service redis-server stop >/dev/null 2>&1 || true
    $sudo service postgresql stop >/dev/null 2>&1 || true
  fi
  command -v dotnet >/dev/null 2>&1 || { echo "dotnet (the .NET 10 SDK) is required" >&2; return 1; }
}

pg_bin_dir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

# Ports this script has handed out: a port picked for a process that has not bound it yet still looks free, so a
# second pick must not get it again. A file, since callers take ports in $(...) subshells; $$ is the script's pid.
ports_given="${TMPDIR:-/tmp}/scanlogin-ports.$$"

# Prints a TCP port on 127.0.0.1 that nothing listens on and this script has not handed out before, below Linux's
# ephemeral range (32768 and up) so no outgoing connection can be holding it.
free_port() {
  local port
  while :; do
    port=$(( (RANDOM % 12000) + 20000 ))
    grep -qx "$port" "$ports_given" 2>/dev/null && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port" >>"$ports_given"; echo "$port"; return 0; }
  done
}

forget_ports() { rm -f "$ports_given"; }

# start_on_free_port VAR FUNCTION ARGS...: runs "FUNCTION ARGS... PORT" with fresh ports until one works
# (another process may take a port between the check and the bind); sets VAR to the port used.
start_on_free_port() {
  local var=$1 attempt port; shift
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if "$@" "$port" 2>/dev/null; then printf -v "$var" '%s' "$port"; return 0; fi
  done
  port=$(free_port) # last try, with its errors shown
  "$@" "$port" && printf -v "$var" '%s' "$port"
}

# Runs a command as the postgres user when we are root (PostgreSQL refuses to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_postgres DIR PORT [extra server options]: a private cluster in DIR, listening on 127.0.0.1:PORT.
start_postgres() {
  local dir=$1 port=$2; shift 2
  local bin; bin=$(pg_bin_dir)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-instructions >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  # A run that was killed may have left the server up: stop it before starting ours.
  as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 && as_pg "$bin/pg_ctl" -D "$dir/data" stop -m fast >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=300 $*" start >/dev/null \
    || { cat "$dir/postgres.log" >&2; return 1; }
}

stop_postgres() {
  local dir=$1 bin; bin=$(pg_bin_dir) || return 0
  [ -f "$dir/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir/data" stop -m fast >/dev/null 2>&1
  return 0
}

# create_database PORT NAME: creates the database if it does not exist.
create_database() {
  local port=$1 name=$2 bin; bin=$(pg_bin_dir)
  as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 \
    || as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$name"
}

# Port-last forms for start_on_free_port.
start_postgres_at() { local dir=$1 port=${*: -1}; start_postgres "$dir" "$port" "${@:2:$#-2}"; }
start_redis_at() { start_redis "$1" "$2"; }

# start_redis DIR PORT: a private, non-persistent Redis on 127.0.0.1:PORT.
start_redis() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  stop_redis "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$dir" --pidfile "$dir/redis.pid" \
    --logfile "$dir/redis.log" --save "" --appendonly no >/dev/null
  local i
  for i in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  cat "$dir/redis.log" >&2
  return 1
}

stop_redis() {
  local dir=$1
  if [ -f "$dir/redis.pid" ]; then
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    rm -f "$dir/redis.pid"
  fi
}

# wait_http URL SECONDS: waits until URL answers 2xx.
wait_http() {
  local url=$1 seconds=${2:-60} i
  for i in $(seq 1 $((seconds * 5))); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "timed out waiting for $url" >&2
  return 1
}

# ensure_command COMMAND PACKAGE: installs the Debian PACKAGE when COMMAND is missing (waits for dpkg's lock).
ensure_command() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "==> installing $2"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$2" >/dev/null
}

# Lifts every abuse limit for the processes started after it (benchmarks and load runs: one address, a crowd of
# emulated users). The limiters still run, so their cost stays in the figures. The twin of RateLimitOptions.LiftedSettings.
lift_abuse_limits() {
  export ScanLogin__RateLimits__Lifted=true
}

# The emulator's built-in mini program (the twin of WeChatEmulatorApp.DefaultAppId and DefaultAppSecret).
EMULATOR_APP_ID=wx0000000000000001
EMULATOR_APP_SECRET=emulator-default-secret

# use_wechat_emulator PORT: the processes started after it reach WeChat at the emulator on 127.0.0.1:PORT, with the
# emulator's built-in mini program as the platform's default one.
use_wechat_emulator() {
  export WeChat__BaseAddress="http://127.0.0.1:$1/"
  export ScanLogin__WeChat__DefaultMiniProgramAppId=$EMULATOR_APP_ID ScanLogin__WeChat__DefaultMiniProgramAppSecret=$EMULATOR_APP_SECRET
}

# use_cluster_certificates DIR [DAYS]: mutual TLS on the cluster's own ports for the processes started after it, as
# production requires (Orleans:Tls). A throw-away certificate authority and one certificate it signed for every silo and
# front end (serverAuth and clientAuth), made with openssl in DIR, or kept from an earlier run while valid for a day more.
use_cluster_certificates() {
  local dir=$1 days=${2:-2}
  mkdir -p "$dir"
  if ! openssl x509 -checkend 86400 -noout -in "$dir/host.crt" >/dev/null 2>&1 || [ ! -f "$dir/ca.crt" ] || [ ! -f "$dir/host.key" ]; then
    (
      set -e
      umask 077
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" -subj "/CN=ScanLogin throw-away cluster CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=scanlogin-cluster-host" \
        -keyout "$dir/host.key" -out "$dir/host.csr" 2>/dev/null
      printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/host.ext"
      openssl x509 -req -in "$dir/host.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days "$days" \
        -extfile "$dir/host.ext" -out "$dir/host.crt" 2>/dev/null
      # The certificate authority's key signs nothing more: a run's hosts all hold the one certificate above.
      rm -f "$dir/ca.key" "$dir/host.csr" "$dir/host.ext" "$dir/ca.srl"
      chmod 644 "$dir/ca.crt" "$dir/host.crt"
    ) || { echo "could not make the cluster's certificates with openssl in $dir" >&2; return 1; }
  fi
  export Orleans__Tls__CertificatePath="$dir/host.crt" Orleans__Tls__KeyPath="$dir/host.key" Orleans__Tls__CertificateAuthorityPath="$dir/ca.crt"
}
