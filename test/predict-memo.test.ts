// run()'s prediction is remembered by its complete input (src/predict.ts, docs/verify.md#the-memo):
// the same input gives the same prediction without modelling again, any change in any part of the
// input (config, mountinfo, rootfs facts, rootless, the child's fds) is modelled afresh, and no
// caller can change what a later caller gets.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { clearPredictionMemo, predict, predictUnmemoized, type CallerModel } from "../src/predict.js";
import { walkPath } from "../src/rootfs-facts.js";
import { parseConfig } from "../src/schema.js";
import { PREDICTION_MEMO } from "../src/abi.js";

const SHARED = [
  "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
  "22 27 0:21 / /proc rw,relatime shared:2 - proc proc rw",
].join("\n") + "\n";
const base: CallerModel = { mountinfo: SHARED, facts: walkPath("/srv/r", () => ({ kind: "dir" })), rootless: false };
const config = parseConfig({ rootfs: "/srv/r", profile: "runc", strategy: "move", prepare: false });

/** Strips what may differ between two equal predictions (the frozen template is compared by identity). */
const view = (p: ReturnType<typeof predict>) => JSON.stringify({ trace: p.trace, verdicts: p.verdicts, violated: p.violated, damage: p.damage });

test("the same input twice: the second is the remembered one, equal to a fresh prediction", () => {
  clearPredictionMemo();
  const a = predict(config, base);
  const b = predict(config, { ...base, facts: [...base.facts] });
  assert.is(b.template, a.template, "remembered: the model was not built again");
  assert.is(view(b), view(a));
  assert.is(view(b), view(predictUnmemoized(config, base)), "equal to the prediction made without the memo");
  assert.ok(a.violated.length > 0, "this input is one the prediction refuses");
});

test("every part of the input is in the key: changing any one models afresh, with its own verdicts", () => {
  clearPredictionMemo();
  const first = predict(config, base);
  const variants: [string, Parameters<typeof predict>][] = [
    ["config", [parseConfig({ rootfs: "/srv/r", profile: "runc", strategy: "pivot" }), base]],
    ["mountinfo", [config, { ...base, mountinfo: SHARED.replace("shared:1", "master:1") }]],
    ["facts", [config, { ...base, facts: walkPath("/srv/r", (p) => ({ kind: p === "/srv/r" ? "missing" : "dir" })) }]],
    ["rootless", [config, { ...base, rootless: true }]],
    ["fds", [config, { ...base, fds: [0, 1, 2, 7] }]],
  ];
  for (const [what, args] of variants) {
    const p = predict(...args);
    assert.is.not(p.template, first.template, `${what}: modelled afresh`);
    assert.is(view(p), view(predictUnmemoized(...args)), `${what}: the prediction of its own input`);
  }
  assert.is.not(view(predict(...variants[0]![1])), view(first), "a different config gives a different prediction");
  assert.is.not(view(predict(...variants[2]![1])), view(first), "a missing rootfs gives a different prediction");
});

test("a remembered prediction is frozen all the way down: no caller can change what the next run is checked against", () => {
  clearPredictionMemo();
  const a = predict(config, base);
  const before = view(a);
  assert.throws(() => { a.trace.steps.length = 0; }, TypeError);
  assert.throws(() => { a.violated.push(a.verdicts[0]!); }, TypeError);
  assert.throws(() => { a.damage.unmounted.push("junk"); }, TypeError);
  assert.throws(() => { (a.trace.steps[0]!.result as { ret: number }).ret = 99; }, TypeError);
  assert.throws(() => { (a.verdicts[0] as { held: boolean }).held = false; }, TypeError);
  assert.is(view(predict(config, base)), before);
});

test(`at most ${PREDICTION_MEMO} inputs are remembered, the least recently used forgotten first`, () => {
  clearPredictionMemo();
  const inputs = Array.from({ length: PREDICTION_MEMO + 1 }, (_, i) => ({ ...base, fds: [0, 1, 2, 10 + i] }));
  const templates = inputs.map((m) => predict(config, m).template);
  assert.is.not(predict(config, inputs[0]!).template, templates[0], "the oldest was forgotten");
  assert.is(predict(config, inputs[PREDICTION_MEMO]!).template, templates[PREDICTION_MEMO], "the newest is still there");
});

test.run();
