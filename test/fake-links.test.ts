// The fake kernel's reverse indexes (links.ts) stay equal to the mount records on every path the
// plans take (each scenario × profile × strategy, with and without a fault), no write of a link
// field bypasses them, and the memoized mountinfo rendering equals the plain walk line for line.
import { readdirSync, readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FakeKernel, SCENARIO_NAMES } from "../src/hosts/fake/index.js";
import { FaultyHost } from "../src/hosts/faults.js";
import { drive } from "../src/driver.js";
import { parseConfig, parseFaults, PROFILES, STRATEGIES } from "../src/schema.js";
import { links, linksConsistent } from "../src/hosts/fake/links.js";
import { pnodeConsistent } from "../src/hosts/fake/pnode.js";
import { renderLine, renderMountinfo } from "../src/hosts/fake/mountinfo.js";
import { bySeq } from "../src/hosts/fake/mounts.js";
import type { PathAt } from "../src/hosts/fake/resolve.js";
import type { State } from "../src/hosts/fake/model.js";
import { strategiesOf } from "./helpers.js";

test("only links.ts writes Mount.parent, .mp, .peer and .master (so the indexes cannot go stale)", () => {
  const dir = new URL("../src/hosts/fake/", import.meta.url);
  const raw = /(?<!\bout)\.(parent|mp|peer|master)\s*=(?!=)/;
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".ts") && x !== "links.ts")) {
    readFileSync(new URL(f, dir), "utf8").split("\n").forEach((line, i) => {
      assert.not.match(line, raw, `${f}:${i + 1} writes a link field directly: use links.ts's setters`);
    });
  }
});

/**
 * Every process's mountinfo, rendered with the memo and line by line without it; the lines, joined,
 * are the file renderMountinfo writes.
 */
function renderBothWays(s: State): void {
  for (const p of s.procs.values()) {
    const list = [...s.mounts.values()].filter((m) => m.ns === p.ns).sort(bySeq);
    const memo = new Map<number, PathAt>();
    const lines: string[] = [];
    for (const m of list) {
      const line = renderLine(s, m, p, memo);
      assert.is(line, renderLine(s, m, p));
      if (line !== null) lines.push(line);
    }
    assert.is(lines.join(""), renderMountinfo(s, p));
  }
}

const FAULTS = ["", "pivot_root=EINVAL", "umount2=EBUSY", "mount#3=EPERM"];

test("after every scenario × profile × strategy × fault, the kept indexes equal a fresh build", () => {
  let runs = 0;
  for (const name of SCENARIO_NAMES) for (const profile of PROFILES) for (const strategy of strategiesOf(profile)) for (const fault of FAULTS) {
    let config;
    try { config = parseConfig({ profile, strategy }); } catch { continue; } // a combination the schema refuses
    const k = FakeKernel.scenario(name, { rootfs: config.rootfs });
    links(k.state); // built before the run, so the run's writes must keep it current
    const host = fault ? new FaultyHost(k, parseFaults([fault])) : k;
    drive(config, host);
    assert.is(linksConsistent(k.state), null, `${name} ${profile} ${strategy} ${fault}`);
    assert.is(pnodeConsistent(k.state), null, `propagation lists: ${name} ${profile} ${strategy} ${fault}`);
    renderBothWays(k.state);
    runs++;
  }
  assert.ok(runs > 300, `${runs} runs`);
});

test.run();
