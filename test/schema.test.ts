// `pivotshim schema`: JSON Schema generated from the zod schemas, valid JSON with $schema, whose
// shape follows the schemas (so a drift in the zod side shows here); unknown names exit 2.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { jsonSchema } from "../src/commands/schema.js";
import { PROFILES, STRATEGIES } from "../src/schema.js";
import { OP_NAMES } from "../src/request.js";

const CLI = new URL("../src/cli.ts", import.meta.url).pathname;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

// JSON Schema documents are walked loosely here: their shape is what the assertions check.
type Obj = Record<string, any>;

test("schema config: JSON with $schema, the config's fields, enums and defaults", () => {
  const r = cli("schema", "config");
  assert.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Obj;
  assert.is(s.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.is(s.additionalProperties, false);
  assert.equal(Object.keys(s.properties).sort(), ["prepare", "profile", "readonly", "rootPropagation", "rootfs", "selfBind", "strategy", "userns"]);
  assert.equal(s.properties.profile.enum, [...PROFILES]);
  assert.equal(s.properties.strategy.enum, [...STRATEGIES]);
  assert.is(s.properties.profile.default, "hardened");
});

test("schema trace: version 1, one request variant per op, with the kernel's argument names", () => {
  const r = cli("schema", "trace");
  assert.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Obj;
  assert.is(s.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.is(s.properties.version.const, 1);
  const variants = s.properties.steps.items.properties.request.oneOf ?? s.properties.steps.items.properties.request.anyOf;
  assert.equal(variants.map((v: Obj) => v.properties.op.const), [...OP_NAMES]);
  const mount = variants.find((v: Obj) => v.properties.op.const === "mount");
  assert.equal(Object.keys(mount.properties).sort(), ["data", "filesystemtype", "mountflags", "op", "reason", "seq", "source", "step", "target"]);
  assert.equal(s.properties.config.properties.profile.enum, [...PROFILES]);
});

test("the printed schema is what jsonSchema() builds (generated, not hand-written)", () => {
  assert.equal(JSON.parse(cli("schema", "trace").stdout), JSON.parse(JSON.stringify(jsonSchema("trace"))));
});

test("an unknown schema name: exit 2, the names listed, nothing on stdout", () => {
  const r = cli("schema", "plan");
  assert.is(r.code, 2);
  assert.is(r.stdout, "");
  assert.match(r.stderr, /unknown schema "plan"; expected one of config, trace/);
});

test.run();
