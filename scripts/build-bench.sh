#!/bin/sh
# Builds the benchmarks' C programs into build/bench: the reference switch (bench/switch-ref.c),
# which bench/native.ts runs as root to compare the executor's switch with direct syscalls, and
# the launch timer (bench/launch.c) of its cold-launch rows.
set -eu
cd "$(dirname "$0")/.."
mkdir -p build/bench
${CC:-cc} -O2 -Wall -Wextra -o build/bench/switch-ref.tmp bench/switch-ref.c
mv build/bench/switch-ref.tmp build/bench/switch-ref
${CC:-cc} -O2 -Wall -Wextra -o build/bench/launch.tmp bench/launch.c
mv build/bench/launch.tmp build/bench/launch
