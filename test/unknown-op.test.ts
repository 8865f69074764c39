// An op a host does not know gets ENOSYS from it, never a made-up success (issue 14's rule for new
// request kinds, which sethostname was the first of): the dry-run host, the fake kernel and the
// executor child (host/child.cc run_syscall's default: test/native-malformed-requests.test.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ENOSYS } from "../src/abi.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import type { Request } from "../src/request.js";

const future = { seq: 0, step: "future", reason: "an op from a newer caller", op: "fsconfig", fd: 3, cmd: 0 } as unknown as Request;

test("the dry-run host answers an unknown op ENOSYS", () => {
  assert.equal(new DryRunHost().exec(future), { errno: ENOSYS });
});

test("the fake kernel answers an unknown op ENOSYS and changes nothing", () => {
  const k = FakeKernel.scenario("docker-host");
  const before = k.mountinfo();
  assert.equal(k.exec(future), { errno: ENOSYS });
  assert.is(k.mountinfo(), before);
});

test("both know sethostname: success on the dry-run host, and the model's permission rule", () => {
  const req = { seq: 0, step: "hook", reason: "a hook", op: "sethostname", name: "box" } as const;
  assert.equal(new DryRunHost().exec(req), { ret: 0 });
  const k = FakeKernel.scenario("rootless"); // a user namespace without a UTS namespace of its own
  assert.equal(k.exec(req), { errno: 1 }, "EPERM: the UTS namespace is the host's");
  k.process.ownUts = true;
  assert.equal(k.exec(req), { ret: 0 });
  assert.equal(k.exec({ ...req, name: "x".repeat(65) }), { errno: 22 }, "EINVAL past HOST_NAME_MAX");
});

test.run();
