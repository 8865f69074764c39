#!/bin/sh
# Stryker's buildCommand for mutation/stryker/commands.conf.json: the CLI tests run the installed
# command (dist/cli/pivotshim.cjs), so the instrumented sources are compiled and bundled once.
# A script, because Stryker runs its buildCommand without a shell: "A && B" gave tsc the "&&".
# Runs in Stryker's sandbox, two levels below the checkout, where node_modules is linked only
# after the build: tsc is reached through the checkout's.
set -e
node ../../node_modules/typescript/bin/tsc -p tsconfig.build.json
node scripts/bundle-cli.mjs
