#!/usr/bin/env bash
# The no-flakes proof (issue 11): after one install, CI's test stage (scripts/test-stage.sh) must
# pass N times in a row (default 10) while a stressor loads the machine: a parallel TypeScript
# build in a loop, and a process that creates and removes tmpfs mounts in its OWN mount namespace
# (unshare -m, propagation private: nothing reaches this namespace). Root only, for the mounts.
# Usage: npm run stress-ci [-- N]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
scratch=$(mktemp -d /tmp/stress-ci-XXXXXX)

# The stressors, each ended by pid when the runs are over.
( while :; do npx tsc -p tsconfig.build.json --outDir "$scratch/dist" >/dev/null 2>&1; done ) &
build_pid=$!
mount_pid=
if [ "$(id -u)" = 0 ]; then
  unshare -m --propagation private sh -c '
    mkdir -p "$1/m"; while :; do
      for i in 1 2 3 4 5 6 7 8; do mkdir -p "$1/m/$i"; mount -t tmpfs none "$1/m/$i"; done
      for i in 1 2 3 4 5 6 7 8; do umount "$1/m/$i"; done
    done' stress "$scratch" &
  mount_pid=$!
else
  echo "stress-ci: not root, so no mount stressor (only the parallel build)"
fi
stop() { kill "$build_pid" ${mount_pid:+"$mount_pid"} 2>/dev/null; wait 2>/dev/null; rm -rf "$scratch"; }
trap stop EXIT

# Each run's whole output is kept while it runs; a failing run's stays, with its FAIL lines
# (uvu's and the suite checks') printed, so a flake names its test instead of only a count.
logs=$(mktemp -d /tmp/stress-ci-logs-XXXXXX)
failed=0
for i in $(seq 1 "$runs"); do
  log="$logs/run-$i.log"
  start=$SECONDS
  bash scripts/test-stage.sh > "$log" 2>&1
  rc=$?
  line=$(tail -n 1 "$log")
  took="$((SECONDS - start)) s"
  if [ "$rc" -eq 0 ]; then
    echo "run $i/$runs: $line (exit $rc, $took)"
    rm -f "$log"
  else
    echo "run $i/$runs: $line (exit $rc, $took; its output: $log)"
    grep -E '^ *FAIL|^FAIL:|^  mount [<>] ' "$log" | sed 's/^/    /' | head -n 40
    failed=$((failed + 1))
  fi
done
rmdir "$logs" 2>/dev/null || echo "stress-ci: the failing runs' output is kept in $logs"
echo "stress-ci: $((runs - failed)) of $runs test stages passed under load"
[ "$failed" -eq 0 ]
