// The model must bite: a host wrapper drops one request (answers success without applying it),
// and the invariant that guards against that mistake must fail on docker-host. Each row is a
// bug a runtime shipped or nearly shipped.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { drive } from "../src/driver.js";
import { parseConfig, type ConfigInput } from "../src/schema.js";
import { FakeKernel, checkInvariants, type InvariantId } from "../src/hosts/fake/index.js";
import type { Host } from "../src/hosts/host.js";
import type { Request, Result } from "../src/request.js";

/** Answers success for the requests `drop` selects, without applying them; the rest reach the kernel. */
class DropHost implements Host {
  readonly kind = "fake-kernel" as const;
  dropped = 0;
  constructor(readonly inner: FakeKernel, readonly drop: (r: Request) => boolean) {}
  exec(r: Request): Result {
    if (this.drop(r)) { this.dropped++; return { ret: 0 }; }
    return this.inner.exec(r);
  }
}

function verdicts(input: ConfigInput, drop: (r: Request) => boolean) {
  const config = parseConfig(input);
  const k = FakeKernel.scenario("docker-host", { rootfs: config.rootfs });
  const before = k.snapshot();
  const host = new DropHost(k, drop);
  const t = drive(config, host);
  assert.ok(host.dropped > 0, "the mutation applied");
  return { outcome: t.outcome, failed: checkInvariants(before, k, t.outcome.kind, config).filter((v) => !v.held) };
}

const ROWS: [string, ConfigInput, (r: Request) => boolean, InvariantId, RegExp][] = [
  // With rootfsPropagation rshared the container's / stays a peer of the host's, so only the
  // rslave of "." stands between the detach and the host: exactly runc #1125's first draft.
  ["the MS_SLAVE before the detach (runc #1125)", { profile: "runc", rootPropagation: "rshared" }, (r) => r.step === "old_root_propagation", "host-unchanged", /^- .* \/proc /m],
  ["the umount2 of the old root", { profile: "runc" }, (r) => r.op === "umount2", "old-root-unreachable", /./],
  ["a close (fd leak, the CVE-2024-21626 class)", { profile: "runc" }, (r) => r.op === "close" && r.step === "close_old_root", "fds-unchanged", /4:/],
  ["chdir(\"/\") after the detach", { profile: "runc" }, (r) => r.op === "chdir" && r.path === "/", "root-is-rootfs", /cwd: (?!\/$)/],
  ["the umount2 of /proc before MS_MOVE (runc PR #1962)", { profile: "runc", strategy: "move" }, (r) => r.op === "umount2" && r.target === "/proc", "no-host-proc-sysfs", /proc/],
];

for (const [what, cfg, drop, id, detail] of ROWS) {
  test(`dropping ${what} is caught by ${id}`, () => {
    const { failed } = verdicts(cfg, drop);
    const v = failed.find((x) => x.id === id);
    assert.ok(v, `expected ${id} to fail; failed: ${failed.map((x) => x.id).join(", ") || "none"}`);
    assert.match(v!.detail, detail);
  });
}

test("the same plans with nothing dropped hold every invariant (the rows above are not noise)", () => {
  for (const cfg of ROWS.map((r) => r[1])) {
    const config = parseConfig(cfg);
    const k = FakeKernel.scenario("docker-host", { rootfs: config.rootfs });
    const before = k.snapshot();
    const t = drive(config, k);
    assert.is(t.outcome.kind, "done");
    assert.equal(checkInvariants(before, k, "done", config).filter((v) => !v.held), []);
  }
});

test.run();
