// The declared TypeScript floor (README: TypeScript >= 5.7, for Uint8Array<ArrayBuffer> in the
// .d.ts files) is checked, not assumed: a strict consumer of the built declarations compiles with
// the oldest TypeScript declared (the npm alias typescript-5.7), and with the one we build with.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

const CONSUMER = `import { plan, check, Machine, drive, DryRunHost, type Host, type Trace } from "pivotshim";
const t: Trace = plan({ rootfs: "/r", profile: "runc" }, { faults: ["pivot_root=EINVAL"] });
const ok: boolean = check({ profile: "crun" }).verdicts.every((v) => v.held);
const host: Host = new DryRunHost({ rootfs: "/r" });
drive({ rootfs: "/r" }, host);
const m = Machine.create();
console.log(t.outcome.kind, ok, m !== undefined);
`;

function typecheck(tsc: string): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-types-"));
  try {
    writeFileSync(join(dir, "consumer.ts"), CONSUMER);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext",
        types: [], typeRoots: [join(root, "node_modules/@types")], skipLibCheck: false,
        paths: { pivotshim: [join(root, "dist/src/index.d.ts")] },
      },
      files: ["consumer.ts", join(root, "node_modules/@types/node/index.d.ts")],
    }));
    const r = spawnSync(process.execPath, [join(root, "node_modules", tsc, "bin/tsc"), "-p", dir], { encoding: "utf8" });
    return { status: r.status, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a strict consumer type-checks with TypeScript 5.7 (the declared floor)", () => {
  const r = typecheck("typescript-5.7");
  assert.is(r.status, 0, r.out);
});

test("and with the TypeScript we build with", () => {
  const r = typecheck("typescript");
  assert.is(r.status, 0, r.out);
});

test.run();
