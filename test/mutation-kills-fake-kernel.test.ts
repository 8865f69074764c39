// FakeKernel's own contract (src/hosts/fake/kernel.ts): a frozen kernel is a template that explore
// and predict clone for every run, so it must refuse every change and keep one view per process;
// and sethostname's rules (src/hosts/fake/sys-uts.ts) as Linux 6.18 answers them. Written for the
// survivors of the Stryker run of src/hosts/fake/sys-*.ts and kernel.ts (docs/mutation.md,
// "sys-fs.ts, kernel.ts, sys-uts.ts, sys-mkdir.ts").
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EINVAL, EPERM, MS_PRIVATE } from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import type { Request } from "../src/request.js";
import { mount, openat } from "./fixtures/fake/calls.js";
import { O_PATH } from "../src/abi.js";

test("a frozen FakeKernel is a template: it says so, and refuses requests and every test set-up call, naming the call", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.is(k.frozen, false);
  assert.is(k.freeze(), k);
  assert.is(k.frozen, true);
  const before = k.mountinfo();
  assert.throws(() => k.exec(openat("/", O_PATH)), (e: Error) => e instanceof TypeError && e.message === "openat on a frozen FakeKernel: it is a template, clone() it first");
  assert.throws(() => k.mkdir("/x"), (e: Error) => e.message.startsWith("mkdir on a frozen FakeKernel"));
  assert.throws(() => k.symlink("/x", "y"), (e: Error) => e.message.startsWith("symlink on a frozen FakeKernel"));
  assert.throws(() => k.unshare(), (e: Error) => e.message.startsWith("unshare on a frozen FakeKernel"));
  assert.is(k.mountinfo(), before);
  assert.equal(k.fdTable().map((f) => f.fd), [0, 1, 2]);
  // Its clone is not frozen and takes requests.
  const c = k.clone();
  assert.is(c.frozen, false);
  assert.equal(c.exec(openat("/", O_PATH)), { ret: 3 });
});

test("a frozen FakeKernel remembers its views per process: the host's mountinfo and fd table are not the container's", () => {
  const k = FakeKernel.scenario("docker-host");
  const host = k.state.hostPid;
  const ctr = k.state.current;
  assert.not.equal(host, ctr);
  assert.equal(k.exec(openat("/", O_PATH)), { ret: 3 });
  assert.equal(k.exec(mount(null, "/", null, MS_PRIVATE, null)), { ret: 0 });
  const want = { ctr: k.mountinfo(ctr), host: k.mountinfo(host), ctrFds: k.fdTable(ctr), hostFds: k.fdTable(host) };
  assert.not.equal(want.ctr, want.host);
  assert.not.equal(want.ctrFds, want.hostFds);
  k.freeze();
  assert.is(k.mountinfo(ctr), want.ctr);
  assert.is(k.hostMountinfo(), want.host);
  assert.is(k.mountinfo(ctr), want.ctr, "asked again");
  assert.equal(k.fdTable(ctr), want.ctrFds);
  assert.equal(k.fdTable(host), want.hostFds);
  assert.equal(k.fdTable(ctr), want.ctrFds, "asked again");
});

test("FakeKernel.proc of a pid it does not have throws RangeError, naming the pid", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.throws(() => k.proc(4242), (e: Error) => e instanceof RangeError && e.message === "no process 4242");
  assert.throws(() => k.mountinfo(4242), /no process 4242/);
});

const sethostname = (name: string): Request => ({ seq: 0, step: "hook", reason: "a hook", op: "sethostname", name });

test("sethostname: CAP_SYS_ADMIN over the UTS namespace's owner is checked before the length (kernel/sys.c: ns_capable, then len > __NEW_UTS_LEN; recorded on Linux 6.18 in unshare -U, the host's UTS namespace: 64 and 65 bytes both EPERM)", () => {
  const k = FakeKernel.scenario("rootless"); // a user namespace, the host's UTS namespace
  assert.equal(k.exec(sethostname("x".repeat(64))), { errno: EPERM });
  assert.equal(k.exec(sethostname("x".repeat(65))), { errno: EPERM });
  k.process.cap = false;
  k.process.ownUts = true;
  assert.equal(k.exec(sethostname("x".repeat(65))), { errno: EPERM }, "no capability at all: EPERM, whatever the length");
});

test("sethostname in a UTS namespace of its own: 64 bytes are the most (__NEW_UTS_LEN), counted in bytes, and the namespace's name is set (recorded on Linux 6.18 in unshare -u and in unshare -U -r -u: 64 bytes 0, 65 bytes EINVAL)", () => {
  for (const scenario of ["docker-host", "rootless"] as const) {
    const k = FakeKernel.scenario(scenario);
    k.process.ownUts = true;
    assert.equal(k.exec(sethostname("x".repeat(64))), { ret: 0 }, scenario);
    assert.is(k.process.hostname, "x".repeat(64));
    assert.equal(k.exec(sethostname("x".repeat(65))), { errno: EINVAL }, scenario);
    assert.equal(k.exec(sethostname("é".repeat(33))), { errno: EINVAL }, `${scenario}: 33 characters, 66 bytes`);
    assert.equal(k.exec(sethostname("é".repeat(32))), { ret: 0 }, `${scenario}: 64 bytes`);
    assert.is(k.process.hostname, "é".repeat(32));
  }
});

test.run();
