#!/usr/bin/env bash
# The long proofs, run only when asked: the benchmark at full size, search over 100,000 documents, API fuzzing with 100 examples
# per operation and role, then the crash, disk-full and backup tests on a release build, on SQLite and on a throwaway PostgreSQL cluster. Everything
# listens on loopback and is bounded in time. Writes target/prove/report.md (and bench.json).
#
#   scripts/prove.sh                 # 200 clients, 10 s per bench phase
#   CLIENTS=50 SECONDS_PER_PHASE=5 FUZZ_EXAMPLES=30 scripts/prove.sh
#
# scripts/test.sh runs the quick versions of the same tests on every change.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/qiaoyi-prove.XXXXXX)
chmod 755 "$work"
pids=()
pg_bin=""

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

out="$root/target/prove"
mkdir -p "$out"
report="$out/report.md"
clients="${CLIENTS:-200}"
seconds="${SECONDS_PER_PHASE:-10}"

install_missing
log "release build"
cargo build --release -p qiaoyi-cli

log "bench: $clients clients, $seconds s per phase"
./target/release/qiaoyi bench --clients "$clients" --seconds "$seconds" --json "$out/bench.json" | tee "$out/bench.txt"

log "search: 100,000 generated documents"
./target/release/qiaoyi bench-search --docs 100000 --queries 2000 --json "$out/bench-search.json" | tee "$out/bench-search.txt"

# "$@": `--include-ignored` on PostgreSQL, whose restore drill a plain run skips.
faults() {
  QY_CRASH_SUBMISSIONS=1000 cargo test --release -p qiaoyi-cli --test crash --test disk_full -- --nocapture 2>&1
  cargo test --release -p qiaoyi-app --test suite backup:: -- "$@" 2>&1
}

log "API fuzzing against a release demo"
port=$(free_port)
./target/release/qiaoyi demo --listen "127.0.0.1:$port" --data "$work/demo" >"$work/demo.log" 2>&1 &
pids+=($!)
wait_healthy "$port" "$work/demo.log"
scripts/fuzz-api.sh "http://127.0.0.1:$port" "${FUZZ_EXAMPLES:-100}" 2>&1 | tee "$out/fuzz.txt"

log "crash, disk-full and backup tests on SQLite"
QY_TEST_DATABASE_URL="" faults | tee "$out/faults-sqlite.txt"
log "statistics: 10,000,000 closed cases"
./target/release/qiaoyi bench-stats --cases 10000000 --runs 5 --json "$out/bench-stats.json" | tee "$out/bench-stats.txt"

log "crash, disk-full and backup tests on PostgreSQL"
start_postgres
faults --include-ignored | tee "$out/faults-postgres.txt"

log "bench on PostgreSQL beside SQLite: one node and three"
psql -X -q "$QY_TEST_DATABASE_URL" -c "CREATE DATABASE qiaoyi_bench"
./target/release/qiaoyi bench --clients "$clients" --seconds "$seconds" \
  --database-url "${QY_TEST_DATABASE_URL%/*}/qiaoyi_bench" --json "$out/bench-postgres.json" | tee "$out/bench-postgres.txt"

{
  echo "# Qiaoyi proof report"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(git rev-parse --short HEAD)"
  echo
  echo '## Benchmark'
  echo
  echo '```'
  cat "$out/bench.txt"
  echo '```'
  echo
  echo '## Search'
  echo
  echo '```'
  cat "$out/bench-search.txt"
  echo '```'
  echo
  echo '## Statistics'
  echo
  echo '```'
  cat "$out/bench-stats.txt"
  echo '```'
  echo
  echo '## Benchmark on PostgreSQL beside SQLite'
  echo
  echo '```'
  cat "$out/bench-postgres.txt"
  echo '```'
  echo
  echo '## API fuzzing (schemathesis)'
  echo
  echo '```'
  grep -E '^== |generated|(failures?|warnings?|passed) in' "$out/fuzz.txt" || true
  echo '```'
  for db in sqlite postgres; do
    echo
    echo "## Faults on $db"
    echo
    echo '```'
    grep -E '^(test |[0-9]+ (of|writes)|the disk-full|skipped)' "$out/faults-$db.txt" || true
    echo '```'
  done
} >"$report"
log "report: $report"
