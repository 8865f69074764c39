#!/bin/sh
# Builds the C machine (issue: the machine inside C runtimes): build/wasm/release.wasm translated to
# C by Debian's wasm2c (package wabt, 1.0.32), compiled with host/machine.c into
# build/c/libpivotshim.a, plus the test driver build/c/machine-driver. The C is generated here,
# never edited and never committed. Without wasm2c this builds nothing, says how to get it, and
# succeeds: everything else works without the C parts (their tests are skipped, saying why).
set -eu
cd "$(dirname "$0")/.."
RT=/usr/share/wabt/wasm2c
if ! command -v wasm2c >/dev/null 2>&1 || [ ! -f "$RT/wasm-rt-impl.c" ]; then
  echo "pivotshim: the C machine is not built: wasm2c and its runtime are missing (apt-get install wabt)" >&2
  exit 0
fi
mkdir -p build/c
node scripts/gen-c-abi.mjs  # build/c/pivotshim-abi.h, the numbers from src/abi.ts (needs dist/, from build:ts)
wasm2c build/wasm/release.wasm -n pivotshim -o build/c/machine-w2c.c
# PS_C_OUT: where the objects, the library and the programs go (default build/c; the sanitizer
# stage builds a copy into build/asan/c with CFLAGS_EXTRA="-fsanitize=..." and PS_C_STATIC="",
# since gcc refuses -static with ASan). The generated C and header stay in build/c.
OUT=${PS_C_OUT:-build/c}
STATIC=${PS_C_STATIC--static}
mkdir -p "$OUT"
# Explicit bounds checks, no process-wide SIGSEGV handler (docs/ABI.md, "C").
CFLAGS="-O2 -Wall -Wextra -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -Ihost -Ibuild/c -I$RT ${CFLAGS_EXTRA:-}"
CC=${CC:-cc}
# Everything the objects and programs below are made of, hashed: when the hash is the last build's
# and every output is there, nothing is compiled again (npm test rebuilds on every run; the gcc of
# the generated C was 20 s of it under load). Any change to an input, a flag or the compiler
# rebuilds all of it.
OUTPUTS="machine-w2c.o wasm-rt-impl.o machine.o exec.o libpivotshim.a machine-driver run-driver reserve-check pivotshim-exec"
inputs=$( { cat build/c/machine-w2c.c build/c/machine-w2c.h build/c/pivotshim-abi.h host/*.c host/*.h test/c/*.c "$RT"/*.c "$RT"/*.h "$0"
  printf '%s\n' "$CFLAGS" "$STATIC" "$CC" "$OUT"; $CC --version; } | sha256sum | cut -d' ' -f1)
stamp="$OUT/.inputs.sha256"
fresh=yes
for o in $OUTPUTS; do [ -f "$OUT/$o" ] || fresh=no; done
if [ "$fresh" = yes ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ]; then
  echo "pivotshim: the C machine in $OUT is up to date (its inputs' hash is the last build's)"
  sha256sum build/wasm/release.wasm | cut -d' ' -f1 > build/c/release.wasm.sha256
  exit 0
fi
rm -f "$stamp"
$CC $CFLAGS -w -c build/c/machine-w2c.c -o "$OUT/machine-w2c.o"
$CC $CFLAGS -w -c "$RT/wasm-rt-impl.c" -o "$OUT/wasm-rt-impl.o"
$CC $CFLAGS -c host/machine.c -o "$OUT/machine.o"
$CC $CFLAGS -c host/exec.c -o "$OUT/exec.o"
rm -f "$OUT/libpivotshim.a"
ar rcs "$OUT/libpivotshim.a" "$OUT/machine.o" "$OUT/exec.o" "$OUT/machine-w2c.o" "$OUT/wasm-rt-impl.o"
$CC $CFLAGS -o "$OUT/machine-driver" test/c/machine-driver.c "$OUT/libpivotshim.a" -lm
$CC $CFLAGS -o "$OUT/run-driver" test/c/run-driver.c "$OUT/libpivotshim.a" -lm
$CC $CFLAGS -o "$OUT/reserve-check" test/c/reserve-check.c "$OUT/libpivotshim.a" -lm
# The standalone executor: static, no Node (host/pivotshim-exec.c).
$CC $CFLAGS $STATIC -o "$OUT/pivotshim-exec" host/pivotshim-exec.c host/expect.c host/trace-out.c "$OUT/libpivotshim.a" -lm
sha256sum build/wasm/release.wasm | cut -d' ' -f1 > build/c/release.wasm.sha256
echo "$inputs" > "$stamp"
