// `pivotshim doctor` where the native host cannot be loaded (PIVOTSHIM_ADDON names a missing file,
// as on a machine without cmake), and how it finds the tools it lists: PATH in order, executables
// only, the first non-blank line of `--version` on stdout or stderr. Needs no root: without the
// addon, doctor probes nothing. The bundled CLI runs as a child; a mutation run's choice of mutant
// is passed on (docs/mutation.md, "The leaves").
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { USERNS_SYSCTLS } from "../src/commands/doctor.js";
import { nativeTest } from "./helpers/native-env.js";
import { NOBODY, nobodyReason } from "./helpers/nobody.js";

const test = suite("doctor without the native host");
const CLI = fileURLToPath(new URL("../dist/cli/pivotshim.cjs", import.meta.url));
const MUTANT = "__STRYKER_ACTIVE_MUTANT__";
const MISSING = "/nonexistent/pivotshim/host.node";

function doctor(args: string[], o: { path?: string; cwd?: string; nobody?: boolean } = {}) {
  const env = {
    PATH: o.path ?? process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp", PIVOTSHIM_ADDON: MISSING,
    ...(process.env[MUTANT] !== undefined ? { [MUTANT]: process.env[MUTANT] } : {}),
  };
  const argv = [process.execPath, CLI, "doctor", ...args];
  const [cmd, ...rest] = o.nobody ? ["setpriv", ...NOBODY, ...argv] : argv;
  return spawnSync(cmd!, rest, { encoding: "utf8", env, cwd: o.cwd ?? tmpdir(), timeout: 30000 });
}

const skip = existsSync(CLI) ? null : "dist/ is not built: run `npm run build:ts`";
const maybe = (name: string, fn: () => void) => nativeTest(test, skip, name, fn);

const NOT_BUILT = `the native host is not built: PIVOTSHIM_ADDON names ${MISSING}, which is not there: build it (npm run test:asan builds build/asan/Release/host.node) or unset PIVOTSHIM_ADDON`;

maybe("--json: no mode works (nothing was probed), the reason is the one detail, exit 3", () => {
  const r = doctor(["--json"]);
  assert.is(r.status, 3, r.stderr);
  assert.is(r.stderr, "");
  const j = JSON.parse(r.stdout);
  assert.equal(
    [j.root, j.mountns, j.userns, j.pivotRoot, j.ramfsRoot, j.details, j.native, j.modes, j.autonomous, j.ok, j.kernel],
    [process.geteuid!() === 0, false, false, false, false, [NOT_BUILT], NOT_BUILT, { root: false, rootless: false }, "off: no native host", false, release()],
  );
  // Every sysctl is listed, an absent one as null (never dropped), a present one as its file says.
  const want = Object.fromEntries(USERNS_SYSCTLS.map((n) => {
    const file = `/proc/sys/${n}`;
    return [n.replace("/", "."), existsSync(file) ? readFileSync(file, "utf8").trim() : null];
  }));
  assert.equal(j.sysctls, want);
});

nativeTest(test, skip ?? nobodyReason(), "as nobody: not root, the same report otherwise, exit 3", () => {
  const r = doctor(["--json"], { nobody: true, cwd: "/" });
  assert.is(r.status, 3, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal([j.root, j.modes, j.native, j.ok], [false, { root: false, rootless: false }, NOT_BUILT, false]);
});

maybe("the text report: native host missing, autonomous off, both modes no; the last line says where to look", () => {
  const r = doctor([]);
  assert.is(r.status, 3, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.ok(lines.includes(`native host        missing: ${NOT_BUILT}`), r.stdout);
  assert.ok(lines.includes("autonomous mode    off: no native host"), r.stdout);
  assert.ok(lines.includes("run (root mode)    no"), r.stdout);
  assert.ok(lines.includes("run --rootless     no"), r.stdout);
  assert.is(lines.at(-1), "pivotshim run cannot work here: see the details above");
});

maybe("tools: PATH in order, empty entries and non-executables skipped; the version is the first non-blank line, stdout or stderr; a tool that cannot start says ?", () => {
  const base = mkdtempSync(join(tmpdir(), "pivotshim-doctor-tools-"));
  try {
    const [a, b, cwd] = ["a", "b", "cwd"].map((d) => { mkdirSync(join(base, d)); return join(base, d); }) as [string, string, string];
    const script = (dir: string, name: string, body: string, mode = 0o755) => writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode });
    // The first line is blank: the version is the next one, trimmed, with the arguments it was asked with.
    script(a, "strace", `printf '   \\n  fake-strace %s  \\nsecond line\\n' "$*"`);
    script(a, "runc", `echo "runc on stderr $*" >&2`);
    script(a, "crun", "echo not me", 0o644);  // not executable: the search goes on to b
    script(b, "crun", "echo crun from b");
    writeFileSync(join(a, "bwrap"), "#!/nonexistent/interpreter\n", { mode: 0o755 });  // execve fails: no output at all
    // An empty PATH entry is not the working directory, which holds a strace of its own.
    script(cwd, "strace", "echo the cwd strace");
    const r = doctor(["--json"], { path: `:${a}::${b}`, cwd });
    assert.is(r.status, 3, r.stderr);
    assert.equal(JSON.parse(r.stdout).tools, {
      strace: { path: join(a, "strace"), version: "fake-strace --version" },
      runc: { path: join(a, "runc"), version: "runc on stderr --version" },
      crun: { path: join(b, "crun"), version: "crun from b" },
      bwrap: { path: join(a, "bwrap"), version: "?" },
    });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
