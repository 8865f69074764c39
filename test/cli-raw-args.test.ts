// src/commands/argv.ts: the command line's arguments with their bytes kept. Node turns a byte that
// is not UTF-8 into U+FFFD, which would name another file; the bytes are read again from
// /proc/self/cmdline (here a given buffer), and nothing is guessed when they do not match.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { rawArgs } from "../src/commands/argv.js";
import { InvalidInputError } from "../src/errors.js";

/** /proc/self/cmdline's form: each string NUL-terminated. */
const cmdline = (...parts: (string | Buffer)[]): Uint8Array => Buffer.concat(parts.flatMap((p) => [Buffer.from(p as string), Buffer.from([0])]));
const BAD = Buffer.concat([Buffer.from("/srv/a"), Buffer.from([0xff]), Buffer.from("b")]);

test("arguments that are all UTF-8 are taken as Node gave them; /proc/self/cmdline is not read", () => {
  assert.equal(rawArgs(["plan", "--rootfs", "/srv/é"], () => { throw new Error("read"); }), ["plan", "--rootfs", "/srv/é"]);
});

test("a byte that is not UTF-8 comes back as U+DC80 + byte, the others as they were (the node and script before them skipped)", () => {
  const argv = ["run", "--rootfs", "/srv/a\ufffdb", "--", "/probe"];
  const got = rawArgs(argv, () => cmdline("node", "--import", "tsx", "src/cli.ts", "run", "--rootfs", BAD, "--", "/probe"));
  assert.equal(got, ["run", "--rootfs", "/srv/a\udcffb", "--", "/probe"]);
  // A real U+FFFD (the bytes EF BF BD) stays U+FFFD.
  assert.equal(rawArgs(["x\ufffd"], () => cmdline("node", "s", "x\ufffd")), ["x\ufffd"]);
});

test("nothing is guessed: cmdline unreadable, or holding other arguments, refuses with the argument named", () => {
  const argv = ["plan", "--rootfs", "/srv/a\ufffdb"];
  const refused = (f: () => unknown, why: RegExp) => assert.throws(f, (e: unknown) => e instanceof InvalidInputError && /^argument 3 \("\/srv\/a\ufffdb"\) is not valid UTF-8, and /.test(e.message) && why.test(e.message));
  refused(() => rawArgs(argv, () => { throw new Error("ENOENT"); }), /cannot be read again from \/proc\/self\/cmdline \(ENOENT\)/);
  refused(() => rawArgs(argv, () => cmdline("node", "s", "plan", "--rootfs", "/srv/other")), /does not hold the same arguments/);
  refused(() => rawArgs(argv, () => cmdline("--rootfs", BAD)), /does not hold the same arguments/);
});

test.run();
