#!/usr/bin/env bash
# The test stage of CI, on an installed checkout: npm test, then the suite-level checks (the mount
# table unchanged, no temporary folder of ours left), then one line "N passed, N failed, N skipped"
# derived from uvu's per-file totals (uvu prints none itself). Used by .ci/run and by
# scripts/stress-ci.sh. Exit status: npm test's, or 1 when a suite-level check failed.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
mounts_before=$(cat /proc/self/mountinfo)
# The suite's own TMPDIR, so what it leaves behind is its own (0755: the nobody tests read it).
suite_tmp=$(mktemp -d /tmp/pivotshim-ci-XXXXXX)
chmod 0755 "$suite_tmp"
TMPDIR="$suite_tmp" npm test 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
read -r total passed skipped < <(awk '/^ +Total:/{t+=$2} /^ +Passed:/{p+=$2} /^ +Skipped:/{s+=$2} END{print t+0, p+0, s+0}' "$log")
rm -f "$log"
if [ "$rc" -ne 0 ] && [ "$total" -eq "$passed" ]; then total=$((total + 1)); fi  # a crash before uvu's summary

# A suite that leaves a mount or a temporary rootfs behind has failed, whatever its tests said.
total=$((total + 2))
if [ "$(cat /proc/self/mountinfo)" = "$mounts_before" ]; then passed=$((passed + 1)); else
  echo "FAIL: the suite changed this namespace's mount table"; rc=1; fi
tmp_left=$(ls -A "$suite_tmp" | grep '^pivotshim-')   # tool caches (tsx) are not ours to judge
if [ -z "$tmp_left" ]; then passed=$((passed + 1)); else
  echo "FAIL: the suite left temporary folders behind in $suite_tmp:"; echo "$tmp_left"; rc=1; fi
rm -rf "$suite_tmp"
echo "$passed passed, $((total - passed)) failed, $skipped skipped"
exit "$rc"
