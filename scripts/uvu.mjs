// uvu's own command (same arguments: `node --import tsx scripts/uvu.mjs --no-color test PATTERN`),
// with the guard uvu 0.5.6 lacks: a run passes only when every test it counted passed.
//
// Why: a test that throws something other than an object with a `name` (undefined, null, a string,
// a number) makes uvu's failure formatter (`format` in uvu/dist/index.mjs) throw inside the
// runner's catch. The runner's `finally` then returns "no errors", so the rest of that suite is
// skipped, nothing is reported as failed, and the process exits 0 with "(0 / 14)" and
// "Total: 14 / Passed: 0". Seen when a mutant made the fake kernel `throw undefined`: the suite
// "passed", and Stryker and the re-planter counted the mutant as a survivor.
//
// So this reads uvu's own totals off what it writes, and fails the run (exit 1, and why on stderr)
// when Passed is not Total, or when no test ran at all (a pattern that matches no file).
//
// PIVOTSHIM_NO_SKIP=1 (the mutation configs' commands) also fails a run that skipped a test: under
// Stryker a skipped real-kernel test passes for every mutant. Every fake-kernel config once copied
// the addon without its executor program, so each native test skipped there and its kills were
// counted as survivors (docs/mutation.md, "A sandbox without the executor").
const out = process.stdout.write.bind(process.stdout);
let written = "";
process.stdout.write = (chunk, ...rest) => {
  written += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
  if (written.length > 1 << 20) written = written.slice(-(1 << 19)); // only the last totals matter
  return out(chunk, ...rest);
};

process.on("exit", (code) => {
  if (code !== 0 || (process.exitCode ?? 0) !== 0) return; // a failure uvu saw: its own report stands
  // eslint-disable-next-line no-control-regex
  const text = written.replace(/\x1b\[[0-9;]*m/g, "");
  const last = (label) => { const all = [...text.matchAll(new RegExp(`^ +${label}: +(\\d+)$`, "gm"))]; return all.length ? Number(all.at(-1)[1]) : null; };
  const total = last("Total"), passed = last("Passed");
  if (total === null || passed === null) return; // uvu printed no summary: it failed on its own
  const skipped = last("Skipped") ?? 0;
  if (process.env.PIVOTSHIM_NO_SKIP === "1" && skipped > 0) {
    process.stderr.write(`uvu skipped ${skipped} tests and PIVOTSHIM_NO_SKIP=1 forbids it: a skipped test cannot kill a mutant (the SKIP lines above say why)\n`);
    process.exitCode = 1;
    return;
  }
  if (total === 0) {
    process.stderr.write("uvu ran no test: the pattern matched no test file, or every file failed to register its tests\n");
    process.exitCode = 1;
  } else if (passed !== total) {
    // The suites that stopped early: uvu's "(passed / total)" with passed < total, under its file's name.
    const short = [];
    let file = "";
    for (const line of text.split("\n")) {
      if (/^\S.*\.[cm]?[jt]s$/.test(line)) file = line;
      const m = /\((\d+) \/ (\d+)\)/.exec(line);
      if (m && Number(m[1]) < Number(m[2])) short.push(`${file} (${m[1]} of ${m[2]})`);
    }
    process.stderr.write(`uvu counted ${total} tests and ${passed} passed, yet reported no failure: a test threw a value that is not an Error ` +
      `(undefined, a string), which uvu 0.5.6 cannot report, so it skipped the rest of its suite${short.length ? `: ${short.join(", ")}` : ""}\n`);
    process.exitCode = 1;
  }
});

// uvu's package exports leave its bin out; it sits beside dist/.
const { createRequire } = await import("node:module");
const { dirname, join } = await import("node:path");
const require = createRequire(import.meta.url);
require(join(dirname(require.resolve("uvu")), "..", "bin.js"));
