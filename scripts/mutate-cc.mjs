// The C++ executor's mutants: a scripted list (scripts/mutate-cc-mutants.json: {id, file, find,
// replace, why}) over its safety lines (PR_SET_PDEATHSIG, the namespace guard, fd hygiene, frame
// decode bounds, signal resets, argc arithmetic). Each rebuilds the addon in a sandbox (cmake-js)
// and runs the native tests; killed = a test failed or timed out.
// Usage: node scripts/mutate-cc.mjs [--survivors] [--only id,id]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, failed, lastSurvivors, progress, runMutants, sh } from "./mutate-lib.mjs";
import { finish } from "./mutate-asm.mjs";

/** The native tests that exercise the executor (not the soak, the verify matrix or the CLI end to end). */
export const CC_TESTS = ["native-executor", "native-failures", "native-kill", "native-switch", "native-run", "native-bytes",
  "native-batch", "native-rootless", "native-pdeathsig", "native-frames-malformed", "native-malformed-requests", "native-autonomous", "native-child-program", "mutation-kills-cc"];

const BUILD = "node node_modules/cmake-js/bin/cmake-js compile --out build/native";

export async function mutateCc({ survivors = false, only = null } = {}) {
  const t0 = Date.now();
  let mutants = JSON.parse(readFileSync(join(ROOT, "scripts/mutate-cc-mutants.json"), "utf8"));
  const again = survivors ? lastSurvivors("cc") : null;
  if (again) mutants = mutants.filter((m) => again.has(m.id));
  if (only) mutants = mutants.filter((m) => only.includes(m.id));
  const tests = `node --import tsx scripts/uvu.mjs --no-color test '^(${CC_TESTS.join("|")})\\.test\\.ts$' --bail`;
  let testMs = 0;
  console.error(`cc: ${mutants.length} mutants`);
  await runMutants("cc", mutants, {
    workers: 1, // real namespaces and children: one at a time
    // build/c: the C machine the addon builds in for autonomous mode (CMakeLists.txt).
    paths: ["host", "CMakeLists.txt", "src", "test", "bench", "dist", "build/wasm", "build/probe", "build/c", "scripts", "package.json", "tsconfig.json", "asconfig.json"],
    async prepare(dir) {
      const b = await sh(BUILD, dir, 900_000);
      if (b.code !== 0) throw new Error(`cc: the unmutated addon does not build in the sandbox:\n${b.out}`);
      const r = await sh(tests, dir, 900_000);
      if (r.code !== 0) throw new Error(`cc: the native tests fail without any mutant:\n${r.out}`);
      testMs = r.ms;
    },
    async judge(dir) {
      const b = await sh(BUILD, dir, 900_000);
      if (b.code !== 0 || b.timedOut) return { status: "compile-error", detail: (b.out.match(/error: .*/) ?? [""])[0] };
      const r = await sh(tests, dir, Math.max(120_000, 3 * testMs));
      if (r.timedOut) return { status: "timeout" };
      return r.code === 0 ? { status: "survived" } : { status: "killed", detail: failed(r.out) };
    },
    onDone: progress,
  });
  // --only and --survivors update the last run's statuses in place (and add new ids to it).
  return finish("cc", "Mutation testing: host/*.cc", mutants, again ?? (only ? new Set(only) : null), t0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf("--only");
  const r = await mutateCc({ survivors: argv.includes("--survivors"), only: i >= 0 ? argv[i + 1].split(",") : null });
  console.log(`cc: ${r.killed} / ${r.total} killed (${r.pct.toFixed(1)}%), ${r.compileError} compile errors, ${r.wallSeconds.toFixed(0)} s`);
  for (const s of r.survivors) console.log(`  survived: ${s}`);
}
