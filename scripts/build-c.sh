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
# Explicit bounds checks, no process-wide SIGSEGV handler (docs/ABI.md, "C").
CFLAGS="-O2 -Wall -Wextra -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -Ihost -Ibuild/c -I$RT ${CFLAGS_EXTRA:-}"
CC=${CC:-cc}
$CC $CFLAGS -w -c build/c/machine-w2c.c -o build/c/machine-w2c.o
$CC $CFLAGS -w -c "$RT/wasm-rt-impl.c" -o build/c/wasm-rt-impl.o
$CC $CFLAGS -c host/machine.c -o build/c/machine.o
$CC $CFLAGS -c host/exec.c -o build/c/exec.o
rm -f build/c/libpivotshim.a
ar rcs build/c/libpivotshim.a build/c/machine.o build/c/exec.o build/c/machine-w2c.o build/c/wasm-rt-impl.o
$CC $CFLAGS -o build/c/machine-driver test/c/machine-driver.c build/c/libpivotshim.a -lm
$CC $CFLAGS -o build/c/run-driver test/c/run-driver.c build/c/libpivotshim.a -lm
$CC $CFLAGS -o build/c/reserve-check test/c/reserve-check.c build/c/libpivotshim.a -lm
# The standalone executor: static, no Node (host/pivotshim-exec.c).
$CC $CFLAGS -static -o build/c/pivotshim-exec host/pivotshim-exec.c host/expect.c build/c/libpivotshim.a -lm
sha256sum build/wasm/release.wasm | cut -d' ' -f1 > build/c/release.wasm.sha256
