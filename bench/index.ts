// npm run bench: every benchmark, in one run, so ratios are measured side by side.
import { benchMachine } from "./machine.js";
import { benchParse } from "./parse.js";
import { benchExplore } from "./explore.js";
import { benchNative } from "./native.js";
import { benchStrace } from "./strace.js";

console.log("# machine");
benchMachine();
console.log("# mountinfo parser");
benchParse();
console.log("# strace parser (diff)");
benchStrace();
console.log("# exploration");
benchExplore();
console.log("# native");
await benchNative();
