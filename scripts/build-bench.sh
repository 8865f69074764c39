#!/bin/sh
# Builds the benchmarks' C reference (bench/switch-ref.c) into build/bench/switch-ref.
# bench/native.ts runs it, as root, to compare the executor's switch with direct syscalls.
set -eu
cd "$(dirname "$0")/.."
mkdir -p build/bench
${CC:-cc} -O2 -Wall -Wextra -o build/bench/switch-ref.tmp bench/switch-ref.c
mv build/bench/switch-ref.tmp build/bench/switch-ref
