#!/usr/bin/env bash
# The one test command: formatting, lints, every test on SQLite and again on PostgreSQL, then the
# browser tests against `qiaoyi demo`. On a fresh Debian machine it first installs what is missing.
# It starts a throwaway PostgreSQL cluster and a demo server on free loopback ports and stops both on
# exit, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/qiaoyi-test.XXXXXX)
chmod 755 "$work"
pids=()
pg_bin=""

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

run_browser_tests() {
  local port data
  port=$(free_port)
  data="$work/demo"
  ./target/debug/qiaoyi demo --listen "127.0.0.1:$port" --data "$data" >"$work/demo.log" 2>&1 &
  track $!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/demo.log"; return 1; }
  mkdir -p target/e2e
  local script
  for script in smoke cases wizard chat video stats care crawl; do
    log "  e2e/$script.mjs"
    BASE_URL="http://127.0.0.1:$port" OUT_DIR="$root/target/e2e" node "e2e/$script.mjs"
  done
}

# The case journey again, with the demo on the PostgreSQL cluster instead of SQLite.
run_journey_on_postgres() {
  local port base
  port=$(free_port)
  base="${QY_TEST_DATABASE_URL%/*}"
  "$pg_bin/createdb" -h 127.0.0.1 -p "${base##*:}" -U postgres qiaoyi_demo
  QIAOYI_DATABASE_URL="$base/qiaoyi_demo" ./target/debug/qiaoyi demo --listen "127.0.0.1:$port" \
    --data "$work/demo-pg" >"$work/demo-pg.log" 2>&1 &
  track $!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/demo-pg.log"; return 1; }
  BASE_URL="http://127.0.0.1:$port" OUT_DIR="$root/target/e2e/postgres" node e2e/cases.mjs
  BASE_URL="http://127.0.0.1:$port" OUT_DIR="$root/target/e2e/postgres" node e2e/video.mjs
  BASE_URL="http://127.0.0.1:$port" OUT_DIR="$root/target/e2e/postgres" node e2e/care.mjs
  # A second node on the same database (same field key): the chat crosses nodes by LISTEN/NOTIFY.
  local port_b
  port_b=$(free_port)
  mkdir -p "$work/demo-pg-b"
  cp "$work/demo-pg/secret.key" "$work/demo-pg-b/secret.key"
  QIAOYI_DATABASE_URL="$base/qiaoyi_demo" QIAOYI_DATA_DIR="$work/demo-pg-b" \
    QIAOYI_LISTEN="127.0.0.1:$port_b" ./target/debug/qiaoyi serve >"$work/demo-pg-b.log" 2>&1 &
  track $!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port_b/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$port_b/healthz" >/dev/null || { cat "$work/demo-pg-b.log"; return 1; }
  BASE_URL="http://127.0.0.1:$port" BASE_URL_B="http://127.0.0.1:$port_b" \
    OUT_DIR="$root/target/e2e/postgres" node e2e/chat.mjs
}

# The API fuzzed with schemathesis (scripts/fuzz-api.sh) against a demo of its own, last, because the
# fuzzer changes accounts and data. A fixed seed makes every run send the same requests, so a
# failure here is a change in the API; scripts/prove.sh fuzzes with fresh seeds and more examples.
run_api_fuzz() {
  local port
  port=$(free_port)
  ./target/debug/qiaoyi demo --listen "127.0.0.1:$port" --data "$work/demo-fuzz" >"$work/demo-fuzz.log" 2>&1 &
  track $!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/demo-fuzz.log"; return 1; }
  FUZZ_SEED=20261126 scripts/fuzz-api.sh "http://127.0.0.1:$port" 10
}

# The turn of the year as the bureau meets it: the demo on a clock libfaketime sets to 2026-12-28,
# when no calendar for 2027 is imported. A passport renewal is accepted with a provisional 2027
# deadline; `qiaoyi import calendar` of a 2027 file moves it and tells the applicant; a file missing
# a statutory holiday is refused with exit 2, naming the day.
run_turn_of_the_year() {
  local port data case_id fake bad
  port=$(free_port)
  data="$work/demo-2026-12-28"
  fake=(env FAKETIME_DONT_FAKE_MONOTONIC=1 faketime '2026-12-28 10:00:00')
  "${fake[@]}" ./target/debug/qiaoyi demo --listen "127.0.0.1:$port" --data "$data" >"$work/demo-year.log" 2>&1 &
  track $!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/demo-year.log"; return 1; }
  local accepted
  accepted=$(python3 scripts/provisional-year.py "http://127.0.0.1:$port" accept)
  echo "$accepted"
  case_id=$(tail -n 1 <<<"$accepted")
  BASE_URL="http://127.0.0.1:$port" CASE_ID="$case_id" OUT_DIR="$root/target/e2e" node e2e/calendar.mjs
  bad="$work/2027.toml"
  sed 's/^from = "2027-02-05"/from = "2027-02-06"/' crates/app/tests/fixtures/calendar/2027.toml >"$bad"
  local status=0 refused
  refused=$(QIAOYI_DATA_DIR="$data" "${fake[@]}" ./target/debug/qiaoyi import calendar "$bad" 2>&1) || status=$?
  [ "$status" = 2 ] && grep -q '2027-02-05' <<<"$refused" \
    || { echo "FAIL a 2027 file without 除夕 was not refused naming the day (exit $status): $refused"; return 1; }
  echo "ok   a 2027 file without 除夕 is refused with exit 2: $refused"
  QIAOYI_DATA_DIR="$data" "${fake[@]}" ./target/debug/qiaoyi import calendar \
    crates/app/tests/fixtures/calendar/2027.toml
  python3 scripts/provisional-year.py "http://127.0.0.1:$port" check "$case_id"
}

# Runs each (title, command) pair at once, each writing to a log of its own; prints the logs in
# order when all have ended, and fails if any did.
side_by_side() {
  local titles=() jobs=() logs=() failed=0 i=0
  while [ $# -gt 0 ]; do
    titles+=("$1")
    logs+=("$work/side-$i.log")
    (eval "$2") >"$work/side-$i.log" 2>&1 &
    jobs+=($!)
    shift 2
    i=$((i + 1))
  done
  for i in "${!jobs[@]}"; do
    local status=0
    wait "${jobs[$i]}" || status=$?
    log "${titles[$i]}: $([ "$status" = 0 ] && echo passed || echo "FAILED (exit $status)")"
    cat "${logs[$i]}"
    [ "$status" = 0 ] || failed=1
  done
  return "$failed"
}

install_missing

# What the browser tests and the fuzzer install from npm and PyPI is fetched while Rust builds: it
# waits on the network, not the cores (the fuzzer's venv alone took about a minute of the last
# step on a clean clone).
log "fetching the browser tests' packages and schemathesis in the background"
(cd e2e && npm ci --no-audit --no-fund --loglevel=error && cd .. && scripts/fuzz-api.sh --install-only) \
  >"$work/fetch.log" 2>&1 &
fetching=$!
track "$fetching"

log "cargo fmt --check"
cargo fmt --all -- --check

# Clippy lints while the tests build instead of in a check build of its own, which compiled every
# crate a second time (5 min 37 s of the suite on 2 cores). clippy-driver is rustc with clippy's
# lints: as the compiler of the workspace's crates (dependencies keep plain rustc) every build below
# is also `cargo clippy --workspace --all-targets -- -D warnings`, failing on any warning. The
# arguments reach the driver as `cargo clippy` passes them, separated by __CLIPPY_HACKERY__.
RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver)
export RUSTC_WORKSPACE_WRAPPER
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

log "clippy -D warnings while the tests build"
cargo test --workspace --no-run

# Both backends at once: the tests mostly wait on their databases (on 2 cores, 2 min 13 s together
# against 3 min one after the other).
log "tests on SQLite and on PostgreSQL, side by side"
start_postgres
side_by_side \
  "tests on SQLite" "env QY_TEST_DATABASE_URL= cargo test --workspace" \
  "tests on PostgreSQL" "cargo test --workspace"

# Ignored by a plain `cargo test`, since they mount a small tmpfs (root) and start a cluster of
# their own; here they must run, and fail if they cannot.
log "a full disk under SQLite and under PostgreSQL"
cargo test -p qiaoyi-cli --test disk_full -- --ignored

log "browser tests"
cargo build -p qiaoyi-cli
wait "$fetching" || { cat "$work/fetch.log"; echo "FAIL fetching the test tools"; exit 1; }
run_browser_tests

# Each against a demo of its own; the fuzzer mostly waits on its server, the journeys on theirs.
log "browser journey and two-node chat on PostgreSQL, the turn of the year under libfaketime, and API fuzzing, side by side"
side_by_side \
  "browser journey and two-node chat on PostgreSQL" run_journey_on_postgres \
  "the turn of the year under libfaketime" run_turn_of_the_year \
  "API fuzzing" run_api_fuzz

log "all tests passed in $((SECONDS / 60)) min $((SECONDS % 60)) s"
