#!/bin/sh
# Regenerates docs/plan-runc-pivot.svg: the default runc pivot plan with every failure branch,
# drawn by `pivotshim graph` and laid out by Graphviz (apt-get install -y graphviz).
# Runs from the TypeScript sources (tsx), so no build is needed. Usage: sh scripts/render-graph.sh
set -eu
cd "$(dirname "$0")/.."
command -v dot >/dev/null 2>&1 || { echo "render-graph: Graphviz's dot is missing (apt-get install -y graphviz)" >&2; exit 3; }
out=docs/plan-runc-pivot.svg
node --import tsx src/cli.ts graph --profile runc --strategy pivot --format dot > "$out.dot"
dot -Tsvg "$out.dot" -o "$out"
rm -f "$out.dot"
echo "wrote $out"
