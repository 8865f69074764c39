// Run as a process of its own by test/mutation-kills-fake-render.test.ts: renders mountinfo's bytes
// (renderMountinfoBytes) where nothing has rendered before, so the renderer starts from its
// 4096-byte scratch buffer and must grow it at a place this script chooses. In the test process
// the scratch is whatever an earlier test left (up to 32 MiB), and no growth would happen.
//
//   node --import tsx test/helpers/render-fresh.ts number|string
//
// number: the lines before one end exactly at byte 4096, so the next line's first piece (its
//         mount ID, written as digits) starts past the buffer;
// string: a 200-byte name of a mount point spans byte 4096, no number of its line within 16 bytes of it.
// Prints one JSON line: { edge, same, bytes, firstDiff } (same: the bytes equal the joined text's,
// encodeString(renderMountinfo), the renderer without the buffer).
import { FakeKernel } from "../../src/hosts/fake/index.js";
import { SCRATCH_FIRST as SCRATCH, renderMountinfo, renderMountinfoBytes } from "../../src/hosts/fake/mountinfo.js";
import { encodeString } from "../../src/utf8.js";

const mode = process.argv[2];
if (mode !== "number" && mode !== "string") {
  console.error("render-fresh: give `number` or `string` (see the first lines of test/helpers/render-fresh.ts)");
  process.exit(2);
}

const HOST = "1 0 0:1 / / rw shared:1 - tmpfs root rw\n";

/** A kernel with a tmpfs at /p/<name> for each name, in order. */
function build(names: string[]): FakeKernel {
  const k = FakeKernel.fromMountinfo(HOST).mkdir("/p");
  for (const n of names) {
    k.mkdir(`/p/${n}`);
    const r = k.exec({ seq: 0, step: "test", reason: "render-fresh", op: "mount", source: "tmpfs", target: `/p/${n}`, filesystemtype: "tmpfs", mountflags: 0, data: null });
    if (!("ret" in r)) throw new Error(`mount /p/${n}: errno ${r.errno}`);
  }
  return k;
}

const text = (k: FakeKernel): string => renderMountinfo(k.state, k.process);
const name = (i: number, len: number): string => (String(i).padStart(3, "0") + "x".repeat(len)).slice(0, len);

let names: string[] = [];
let edge = "missed";
if (mode === "number") {
  // 200-byte names while another fits, then lines sized so that the last ends at byte 4096.
  while (text(build([...names, name(names.length, 200)])).length <= SCRATCH - 80) names.push(name(names.length, 200));
  for (let tries = 0; tries < 4; tries++) {
    const cur = text(build(names)).length;
    const base = text(build([...names, name(names.length, 100)])).length - cur - 100; // the line without its name
    const len = SCRATCH - cur - base;
    if (len >= 4 && len <= 255) { names.push(name(names.length, len)); break; }
    names.push(name(names.length, 120));
  }
  names.push(name(names.length, 10));
  const t = text(build(names));
  if (t[SCRATCH - 1] === "\n" && /^\d+ /.test(t.slice(SCRATCH))) edge = "a line ends at byte 4096 and the next starts with its ID";
} else {
  // 200-byte names past 4096, the first one shorter by `shift` until byte 4096 falls inside a name.
  for (let shift = 0; shift < 200 && edge === "missed"; shift += 7) {
    names = [name(0, 200 - shift)];
    while (text(build(names)).length < SCRATCH + 400) names.push(name(names.length, 200));
    const t = text(build(names));
    const from = t.lastIndexOf("/", SCRATCH), to = t.indexOf(" ", SCRATCH);
    // The name starts 100 bytes or more before the edge: the numbers before it in its line are
    // written with 16 bytes to spare (a growth there would hide the one this case is about).
    if (to - from - 1 === 200 && from + 1 <= SCRATCH - 100 && /^\d{3}x+$/.test(t.slice(from + 1, to))) edge = "a 200-byte name spans byte 4096";
  }
}

const k = build(names);
const want = encodeString(text(k));
const got = renderMountinfoBytes(k.state, k.process);
let firstDiff = -1;
for (let i = 0; i < Math.max(want.length, got.length); i++) if (want[i] !== got[i]) { firstDiff = i; break; }
console.log(JSON.stringify({ edge, same: firstDiff < 0, bytes: got.length, firstDiff }));
