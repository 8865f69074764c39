#!/bin/sh
# Builds the static test probe (test/probe/probe.c) into build/probe/probe, world-readable so the
# rootless tests (run as an unprivileged user) can copy it. Static: the new root has no libc.
# UBSan in trap mode (no runtime library to link, and gcc refuses -static with ASan): undefined
# behaviour in the probe kills it with SIGILL, which fails the test that ran it.
set -eu
cd "$(dirname "$0")/.."
mkdir -p build/probe
${CC:-cc} -static -O2 -Wall -Wextra -fsanitize=undefined -fsanitize-undefined-trap-on-error -o build/probe/probe.tmp test/probe/probe.c
chmod 0755 build/probe/probe.tmp
mv build/probe/probe.tmp build/probe/probe
