#!/usr/bin/env bash
# npm run test:asan: the native code under AddressSanitizer + UBSan, once per CI (.ci/run, through
# scripts/test-stage.sh --asan). Builds the addon (with the C machine of autonomous mode in it) and
# the driver test/asan/executor-driver.cc into build/asan (CMakeLists.txt PIVOTSHIM_ASAN), and
# libpivotshim with its test programs into build/asan/c; runs the driver, then every
# test/native-*.test.ts and test/c-machine.test.ts with Node
# loading libasan first (LD_PRELOAD: an ASan library must come first in the process) and the addon
# loader pointed at the sanitizer build (PIVOTSHIM_ADDON, src/hosts/native-location.ts). The probe
# is always built with UBSan traps (scripts/build-probe.sh). Any sanitizer report fails the stage:
# UBSan halts (halt_on_error, and -fno-sanitize-recover in the build), ASan exits non-zero, and a
# report from a forked child, whose exit the tests may not look at, is caught in the log.
# Needs the main build first (npm run build). Exit status: 0 only if everything passed clean.
set -uo pipefail
cd "$(dirname "$0")/.."

asan_rt=$(${CC:-gcc} -print-file-name=libasan.so)
if [ ! -e "$asan_rt" ]; then echo "test:asan: no libasan.so for ${CC:-gcc} (apt-get install libasan8 / gcc)"; exit 1; fi
npx cmake-js compile --out build/asan --CDPIVOTSHIM_ASAN=ON >build/asan-build.log 2>&1 \
  || { tail -30 build/asan-build.log; echo "test:asan: the sanitizer build failed"; exit 1; }
sh scripts/build-probe.sh || exit 1
# libpivotshim (the C machine, ps_run) and its test programs with ASan + UBSan, into build/asan/c;
# the C tests below run them (PIVOTSHIM_C_DIR, test/helpers/c-dir.ts). Without wasm2c, skipped.
san_c=0
if command -v wasm2c >/dev/null 2>&1; then
  PS_C_OUT=build/asan/c PS_C_STATIC="" CFLAGS_EXTRA="-g -fno-omit-frame-pointer -fsanitize=address,undefined -fsanitize=float-cast-overflow -fno-sanitize-recover=all" \
    sh scripts/build-c.sh >build/asan-c-build.log 2>&1 || { tail -30 build/asan-c-build.log; echo "test:asan: the sanitizer build of the C library failed"; exit 1; }
  san_c=1
fi

export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Its own TMPDIR (0755: the nobody tests read it), so the tests' leftover checks see only this run.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/pivotshim-asan-XXXXXX")
chmod 0755 "$run_tmp"
export TMPDIR="$run_tmp"
log=$(mktemp)
rc=0
build/asan/Release/executor-driver 2>&1 | tee -a "$log" || rc=1
c_dir=build/c
[ "$san_c" = 1 ] && c_dir=build/asan/c
LD_PRELOAD="$asan_rt" PIVOTSHIM_ADDON=build/asan/Release/host.node PIVOTSHIM_C_DIR="$c_dir" \
  node --import tsx scripts/uvu.mjs --no-color test '^(native-.*|c-machine)\.test\.ts$' 2>&1 | tee -a "$log" || rc=1
if grep -qE 'ERROR: AddressSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$log"; then
  echo "FAIL: a sanitizer report (above)"; rc=1
fi
left=$(ls -A "$run_tmp" | grep '^pivotshim-')
if [ -n "$left" ]; then echo "FAIL: the sanitizer stage left temporary folders behind: $left"; rc=1; fi
rm -f "$log"
rm -rf "$run_tmp"
exit "$rc"
