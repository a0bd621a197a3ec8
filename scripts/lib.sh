# Shared by scripts/test.sh and scripts/prove.sh: installing what the tests need on a fresh Debian
# machine, a throwaway PostgreSQL cluster, free loopback ports, and stopping all of it on exit.
# The caller sets `work` (a temp dir) and `pids` (an array) before sourcing.

log() { printf '\n== [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

# Records a server's pid for cleanup, also from a job running in the background, whose changes to
# `pids` the main shell does not see.
track() {
  pids+=("$1")
  echo "$1" >>"$work/servers.pids"
}

cleanup() {
  local status=$?
  local tracked=()
  [ -f "$work/servers.pids" ] && mapfile -t tracked <"$work/servers.pids"
  # Children first: `faketime` runs the server as its child, which would outlive the wrapper.
  for pid in "${pids[@]}" "${tracked[@]}"; do
    pkill -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  done
  if [ -n "$pg_bin" ] && [ -f "$work/pg/postmaster.pid" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT INT TERM

as_postgres() {
  # PostgreSQL refuses to run as root; run its tools as the postgres user when we are root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Waits up to 20 s for a server on loopback port $1 to answer /healthz; prints its log $2 if it
# does not.
wait_healthy() {
  local port=$1 log=$2
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null && return 0
  cat "$log"
  return 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

install_missing() {
  local need=()
  # The allocator, jemalloc, is C built by its crate with make.
  command -v make >/dev/null 2>&1 || need+=(make)
  ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
  command -v node >/dev/null 2>&1 || need+=(nodejs)
  command -v npm >/dev/null 2>&1 || need+=(npm)
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  # The turn of the year is tested with the demo under libfaketime.
  command -v faketime >/dev/null 2>&1 || need+=(faketime)
  # Prometheus' own linter checks /metrics (its package carries promtool; the server it also
  # installs is not started).
  command -v promtool >/dev/null 2>&1 || need+=(prometheus)
  # scripts/fuzz-api.sh makes a venv for schemathesis; Debian's python3 needs python3-venv for it.
  python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
  # The mail tests start aiosmtpd; Debian's package serves /usr/bin/python3 even when another
  # python3 comes first on the path.
  /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || python3 -c 'import aiosmtpd' >/dev/null 2>&1 \
    || need+=(python3-aiosmtpd)
  # A video check's calendar file is read back with icalendar, as a calendar program would.
  /usr/bin/python3 -c 'import icalendar' >/dev/null 2>&1 || python3 -c 'import icalendar' >/dev/null 2>&1 \
    || need+=(python3-icalendar)
  # DKIM signatures are checked as a receiving server would, with dkimpy (PyNaCl for Ed25519
  # keys; openssl makes the RSA key and its DNS record).
  /usr/bin/python3 -c 'import dkim, nacl' >/dev/null 2>&1 || python3 -c 'import dkim, nacl' >/dev/null 2>&1 \
    || need+=(python3-dkim python3-nacl)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  # The video room is tested through a real TURN relay (coturn's turnserver, started on loopback
  # by the test, not as a service).
  command -v turnserver >/dev/null 2>&1 || need+=(coturn)
  # ... and across NAT and distance, in network namespaces joined by an iptables router.
  command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || need+=(iptables)
  command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || need+=(iproute2)
  # A certificate's QR code is read from its PDF as a foreign office's scanner would: the page
  # drawn by poppler, the code decoded by zbar.
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
  # The Debian package is built with dpkg-deb, its man page by help2man from `qiaoyi --help`, and
  # its unit checked by systemd-analyze; the proxy in front of three nodes is Caddy.
  command -v help2man >/dev/null 2>&1 || need+=(help2man)
  command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
  command -v caddy >/dev/null 2>&1 || need+=(caddy)
  # ... whose internal CA Chromium trusts through an NSS database made with certutil.
  command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
  fi
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
}

start_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  local port
  port=$(free_port)
  mkdir -p "$work/pg"
  [ "$(id -u)" = 0 ] && chown postgres "$work/pg"
  as_postgres "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w \
    -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
  export QY_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL on 127.0.0.1:$port"
}

