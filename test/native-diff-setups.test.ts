// The differential suite against the real kernel (issue 9): 30+ host setups, each built for real in
// an executor child's own mount namespace (test/helpers/native-diff.ts), × every profile × strategy.
// Steps, results, outcome, the normalised final table and the host delta are compared; mount ids,
// peer-group ids and read byte counts are masked (a read count that differs only because records
// crossed a 4 KiB boundary is printed as a note). Prints the match count; every exception is in
// KNOWN with its explanation. Root only; skipped with the reason otherwise.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { hostMountinfo, leftoverRootfs, nativeTest, skipReason } from "./helpers/native-env.js";
import { diffRun, differences, readCountNotes } from "./helpers/native-diff.js";
import { ALL, SETUPS } from "./helpers/diff-setups.js";

const test = suite("differential setups");
const reason = await skipReason("root");
/** "setup | profile/strategy" -> why the fake and the kernel differ there (each one explained). */
const KNOWN: Record<string, string> = {};

let runs = 0;
let matched = 0;
for (const sc of SETUPS) {
  nativeTest(test, reason, `${sc.name}: every profile × strategy matches the real kernel`, async () => {
    const before = hostMountinfo();
    const left = leftoverRootfs();
    const bad: string[] = [];
    for (const cfg of ALL) {
      const name = `${sc.name} | ${cfg.profile}/${cfg.strategy}`;
      const d = await diffRun({ ...sc, configs: [cfg] }, cfg);
      runs++;
      for (const note of readCountNotes(d)) console.error(`note ${name}: ${note}`);
      // lxc move ignores its umount2 errors, and which errno Linux gives under a detached mount
      // depends on directories a mountinfo text does not show; its copy's order too (lxcMoveKnown).
      const lxcMove = cfg.profile === "lxc" && cfg.strategy === "move";
      const unseen = (l: string) => lxcMove && /"op":"umount2","target":"\.\/[^"]*","flags":2\}: real umount2 -> E[A-Z]+ vs fake umount2 -> E[A-Z]+$/.test(l);
      const reordered = (l: string) => lxcMove && /^request #\d+: real \{"op":"umount2","target":"\.\/[^"]*","flags":2\} vs fake \{"op":"umount2","target":"\.\/[^"]*","flags":2\}$/.test(l);
      const all = differences(d);
      for (const l of all.filter((x) => unseen(x) || reordered(x))) console.error(`known ${name}: ${l}`);
      const diff = all.filter((x) => !unseen(x) && !reordered(x));
      if (diff.length === 0) { matched++; continue; }
      if (KNOWN[name]) { console.error(`known ${name}: ${KNOWN[name]}`); continue; }
      bad.push(`${name}:\n  ${diff.join("\n  ")}`);
    }
    assert.is(hostMountinfo(), before, "the host's mount table must not change");
    assert.equal(leftoverRootfs(), left);
    assert.equal(bad, [], bad.join("\n"));
  });
}

test.after(() => { if (!reason) console.error(`differential setups: ${matched} of ${runs} runs match the real kernel exactly (${SETUPS.length} setups)`); });

test.run();
