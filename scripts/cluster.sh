#!/usr/bin/env bash
# Three nodes on one PostgreSQL database behind Caddy with TLS (ops/Caddyfile with Caddy's internal
# CA), as OPERATIONS.md "Several nodes" sets them up:
#  - started at the same moment on an empty database, they migrate it under PostgreSQL's advisory
#    lock (each version recorded once, every node up); one loads the demo, the others wait on
#    /readyz until its catalogue is there;
#  - through Caddy: HSTS, Secure cookies, no /metrics; the case journey with its uploads, the chat's
#    and the video room's websockets, the care programme (e2e/*.mjs in Chromium, which trusts
#    Caddy's CA as an office computer trusts the bureau's);
#  - each e-mail delivered exactly once to an SMTP sink (aiosmtpd) by three competing delivery
#    workers; passport reminders queued once though three nodes and three `qiaoyi remind` runs
#    queue them at once; a waiting green-channel request escalated once;
#  - one node killed (SIGKILL) during 150 concurrent draft submissions through Caddy: every
#    acknowledged draft is there afterwards.
#
#   QY_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres scripts/cluster.sh
# Needs a debug build, caddy, psql, aiosmtpd, certutil (libnss3-tools), Chromium and e2e/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
server=${QY_TEST_DATABASE_URL:?QY_TEST_DATABASE_URL must name a PostgreSQL server}
[[ "$server" == postgres* ]] || { echo "FAIL QY_TEST_DATABASE_URL must name a PostgreSQL server"; exit 1; }
bin="$root/target/debug/qiaoyi"
work=$(mktemp -d /tmp/qiaoyi-cluster.XXXXXX)
pids=()
db="qiaoyi_cluster_$$"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -X -q "$server" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; for f in "$work"/*.log; do echo "--- $f"; tail -n 30 "$f"; done; exit 1; }
python=python3
python3 -c 'import aiosmtpd' 2>/dev/null || python=/usr/bin/python3

psql -X -q "$server" -c "CREATE DATABASE $db"
url="${server%/*}/$db"
sql() { psql -X -q -tA "$url" -c "$1"; }

smtp=$(free_port)
mkdir -p "$work/mail/tmp" "$work/mail/new" "$work/mail/cur"
"$python" -m aiosmtpd -n -l "127.0.0.1:$smtp" -c aiosmtpd.handlers.Mailbox "$work/mail" >"$work/smtp.log" 2>&1 &
pids+=($!)

https=$(free_port)
base="https://localhost:$https"
ports=("$(free_port)" "$(free_port)" "$(free_port)")
export QIAOYI_DATABASE_URL="$url" QIAOYI_SECRET_KEY="$(openssl rand -hex 32)" QIAOYI_PUBLIC_URL="$base" \
  QIAOYI_TRUSTED_PROXIES=127.0.0.1 QIAOYI_SMTP_HOST=127.0.0.1 QIAOYI_SMTP_PORT="$smtp" QIAOYI_SMTP_TLS=none \
  QIAOYI_MAIL_FROM="Qiaoyi <noreply@qiaoyi.test>"
# The three at the same moment: the first also loads the demo (catalogue, accounts, cases).
for i in 0 1 2; do
  command=(serve)
  [ "$i" = 0 ] && command=(demo)
  QIAOYI_LISTEN="127.0.0.1:${ports[$i]}" QIAOYI_DATA_DIR="$work/node$i" "$bin" "${command[@]}" \
    >"$work/node$i.log" 2>&1 &
  pids+=($!)
  node_pids[i]=$!
done
for i in 0 1 2; do
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:${ports[$i]}/readyz" >/dev/null 2>&1 && break
    kill -0 "${node_pids[$i]}" 2>/dev/null || fail "node $i stopped while starting"
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:${ports[$i]}/readyz" >/dev/null || fail "node $i is not ready"
done
shipped=$(find migrations/postgres -name '*.sql' | wc -l)
[ "$(sql "SELECT count(*) || ' ' || count(DISTINCT version) || ' ' || bool_and(success) FROM _sqlx_migrations")" = "$shipped $shipped true" ] \
  || fail "the migrations were not recorded once each: $(sql 'SELECT version, success FROM _sqlx_migrations')"
ok "three nodes started at once on an empty database: $shipped migrations recorded once, each node ready"

# The demo's green-channel request has waited three hours: whichever node's worker comes first
# escalates it; then `qiaoyi remind` three times at once adds no reminder to the nodes' own.
sql "UPDATE green_channel_requests SET requested_at = requested_at - 10800000 WHERE state = 'requested'"
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM green_channel_requests WHERE escalated_at IS NOT NULL")" -ge 1 ] && break
  sleep 0.2
done
reminders=$(sql "SELECT count(*) FROM outbox WHERE template = 'passport-expiring'")
[ "$reminders" -ge 1 ] || fail "no passport reminder was queued at start"
for i in 0 1 2; do
  QIAOYI_DATA_DIR="$work/node$i" "$bin" remind >"$work/remind$i.log" 2>&1 &
  remind_pids[i]=$!
done
for i in 0 1 2; do wait "${remind_pids[$i]}" || fail "qiaoyi remind failed"; done
[ "$(sql "SELECT count(*) FROM outbox WHERE template = 'passport-expiring'")" = "$reminders" ] \
  || fail "qiaoyi remind queued a reminder the nodes had queued already"
ok "$reminders passport reminder(s) queued once by three nodes and three qiaoyi remind runs"

# Caddy, from the documented file, listening on loopback only.
mkdir -p "$work/caddy"
sed '/^{\$QIAOYI_SITE/a\	bind 127.0.0.1' ops/Caddyfile >"$work/Caddyfile"
nodes="127.0.0.1:${ports[0]} 127.0.0.1:${ports[1]} 127.0.0.1:${ports[2]}"
XDG_CONFIG_HOME="$work/caddy-config" QIAOYI_CADDY_ADMIN=off QIAOYI_CADDY_HTTP_PORT="$(free_port)" QIAOYI_CADDY_STORAGE="$work/caddy" \
  QIAOYI_SITE="localhost:$https" QIAOYI_TLS=internal QIAOYI_NODES="$nodes" \
  caddy run --config "$work/Caddyfile" --adapter caddyfile >"$work/caddy.log" 2>&1 &
pids+=($!)
ca="$work/caddy/pki/authorities/local/root.crt"
for _ in $(seq 1 100); do
  [ -f "$ca" ] && curl -fsS --cacert "$ca" "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS --cacert "$ca" "$base/readyz" >/dev/null || fail "Caddy does not serve $base"
headers=$(curl -fsS --cacert "$ca" -D - -o /dev/null "$base/login?lang=en")
grep -qi '^strict-transport-security: max-age=' <<<"$headers" || fail "no HSTS through Caddy: $headers"
cookies=$(grep -i '^set-cookie:' <<<"$headers" || true)
[ -n "$cookies" ] || fail "the sign-in page set no cookie: $headers"
if grep -vqi '; *secure' <<<"$cookies"; then fail "a cookie without Secure: $cookies"; fi
[ "$(curl -sS --cacert "$ca" -o /dev/null -w '%{http_code}' "$base/metrics")" = 404 ] \
  || fail "/metrics answers through Caddy"
ok "through Caddy's TLS: HSTS, every cookie Secure, /metrics kept inside"

# Chromium trusts Caddy's CA through the NSS database of its own home (the scripts' own requests
# through NODE_EXTRA_CA_CERTS), as an office computer trusts the bureau's CA.
export HOME="$work/home"
mkdir -p "$HOME/.pki/nssdb"
certutil -d "sql:$HOME/.pki/nssdb" -N --empty-password
certutil -d "sql:$HOME/.pki/nssdb" -A -t "C,," -n "Caddy local CA" -i "$ca"
out="$root/target/e2e/cluster"
for script in cases video care chat; do
  echo "== e2e/$script.mjs through Caddy"
  NODE_EXTRA_CA_CERTS="$ca" BASE_URL="$base" OUT_DIR="$out" node "e2e/$script.mjs" || fail "e2e/$script.mjs through Caddy"
done
for i in 0 1 2; do
  served=$(curl -fsS "http://127.0.0.1:${ports[$i]}/metrics" | awk '/^qiaoyi_http_requests_total/ {n += $2} END {print n + 0}')
  [ "$served" -gt 0 ] || fail "node $i served no request: Caddy did not balance"
  echo "     node $i served $served requests"
done
ok "the journeys through Caddy, spread over the three nodes"

# Every message out once: wait until nothing due is left, then count at the sink.
for _ in $(seq 1 150); do
  [ "$(sql "SELECT count(*) FROM outbox WHERE status = 'pending' AND next_attempt_at <= (extract(epoch FROM now()) * 1000)::bigint")" = 0 ] && break
  sleep 0.2
done
SSL_CERT_FILE="$ca" "$python" scripts/cluster-check.py delivered "$work/mail" "$url" || fail "deliveries"

# One node killed while drafts pour in through Caddy.
SSL_CERT_FILE="$ca" python3 scripts/cluster-check.py "$base" kill "${node_pids[1]}" 150 || fail "killing a node"
