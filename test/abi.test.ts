// The ABI: the module's exact export list, imports ⊆ {env.abort}, and a version mismatch is
// refused at instantiation. An embedder in another language relies on exactly these.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { Machine, compile } from "../src/machine.js";
import { ProtocolError } from "../src/errors.js";

const EXPORTS = ["abi_version", "feed", "input_cap", "input_ptr", "memory", "mountinfo_buffer", "mountinfo_check", "next", "outcome_ptr", "request_ptr", "start"];

for (const flavor of ["release", "debug"] as const) {
  test(`${flavor}: exports are exactly the ABI`, () => {
    const m = compile(flavor);
    assert.equal(WebAssembly.Module.exports(m).map((e) => e.name).sort(), EXPORTS);
  });
  test(`${flavor}: imports nothing but env.abort`, () => {
    const imports = WebAssembly.Module.imports(compile(flavor)).map((i) => `${i.module}.${i.name}`);
    assert.equal(imports, ["env.abort"]);
  });
}

test("release wasm is small enough to audit (≤ 64 KiB; the bench reports the exact size)", () => {
  const size = readFileSync(new URL("../build/wasm/release.wasm", import.meta.url)).length;
  assert.ok(size > 1000 && size <= 65536, `size ${size}`);
});

test("a module with another abi_version is refused", () => {
  // (module (memory (export "memory") 1) (func (export "abi_version") (result i32) i32.const 999))
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
    0x03, 0x02, 0x01, 0x00,
    0x05, 0x03, 0x01, 0x00, 0x01,
    0x07, 0x18, 0x02, 0x0b, ...new TextEncoder().encode("abi_version"), 0x00, 0x00,
    0x06, ...new TextEncoder().encode("memory"), 0x02, 0x00,
    0x0a, 0x07, 0x01, 0x05, 0x00, 0x41, 0xe7, 0x07, 0x0b,
  ]);
  const mod = new WebAssembly.Module(bytes);
  assert.throws(() => Machine.create(mod), (e: unknown) => e instanceof ProtocolError && /ABI version 999/.test((e as Error).message));
});

test.run();
