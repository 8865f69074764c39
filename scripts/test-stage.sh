#!/usr/bin/env bash
# The test stage of CI, on an installed checkout: npm test, then with --asan the sanitizer stage
# (npm run test:asan, scripts/test-asan.sh), then the suite-level checks (the mount table
# unchanged, no temporary folder of ours left), then one line "N passed, N failed, N skipped"
# summed from uvu's per-run totals (uvu prints none itself; the asan stage's executor driver prints
# the same Total/Passed/Skipped lines). Used by .ci/run (with --asan) and scripts/stress-ci.sh.
# Exit status: 0 only when every stage and check passed.
set -uo pipefail
cd "$(dirname "$0")/.."

mounts_before=$(cat /proc/self/mountinfo)
# The suite's own TMPDIR, so what it leaves behind is its own (0755: the nobody tests read it).
suite_tmp=$(mktemp -d /tmp/pivotshim-ci-XXXXXX)
chmod 0755 "$suite_tmp"
total=0 passed=0 skipped=0 rc=0

# Runs one stage, teed; adds its totals. A stage that fails with no failed test in its totals (a
# crash before uvu's summary, a build error, a sanitizer report) counts as one failure.
stage() {
  local log r t p s
  log=$(mktemp)
  TMPDIR="$suite_tmp" "$@" 2>&1 | tee "$log"
  r=${PIPESTATUS[0]}
  read -r t p s < <(awk '/^ +Total:/{t+=$2} /^ +Passed:/{p+=$2} /^ +Skipped:/{s+=$2} END{print t+0, p+0, s+0}' "$log")
  rm -f "$log"
  if [ "$r" -ne 0 ] && [ "$t" -eq "$p" ]; then t=$((t + 1)); fi
  total=$((total + t)) passed=$((passed + p)) skipped=$((skipped + s))
  if [ "$r" -ne 0 ]; then rc=$r; fi
}

stage npm test
if [ "${1:-}" = "--asan" ]; then stage npm run test:asan; fi

# A suite that leaves a mount or a temporary rootfs behind has failed, whatever its tests said.
total=$((total + 2))
mounts_after=$(cat /proc/self/mountinfo)
if [ "$mounts_after" = "$mounts_before" ]; then passed=$((passed + 1)); else
  # What changed, so a failure names the mount (another process on the machine can mount too).
  echo "FAIL: the suite changed this namespace's mount table (< before, > after):"
  diff <(echo "$mounts_before") <(echo "$mounts_after") | grep '^[<>]' | sed 's/^/  mount /'; rc=1; fi
tmp_left=$(ls -A "$suite_tmp" | grep '^pivotshim-')   # tool caches (tsx) are not ours to judge
if [ -z "$tmp_left" ]; then passed=$((passed + 1)); else
  echo "FAIL: the suite left temporary folders behind in $suite_tmp:"; echo "$tmp_left"; rc=1; fi
rm -rf "$suite_tmp"
echo "$passed passed, $((total - passed)) failed, $skipped skipped"
exit "$rc"
