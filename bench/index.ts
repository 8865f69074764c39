// npm run bench: every benchmark, in one run, so ratios are measured side by side.
import { benchMachine } from "./machine.js";
import { benchParse } from "./parse.js";
import { benchExplore } from "./explore.js";
import { benchFake } from "./fake.js";
import { benchNative } from "./native.js";
import { benchPredict } from "./predict.js";
import { benchStrace } from "./strace.js";
import { benchCli } from "./cli.js";

console.log("# cold command line");
benchCli();
console.log("# machine");
await benchMachine();
console.log("# mountinfo parser");
benchParse();
console.log("# strace parser (diff)");
benchStrace();
console.log("# exploration");
benchExplore();
console.log("# prediction (run verifies before it acts)");
benchPredict();
console.log("# fake kernel at scale");
benchFake();
console.log("# native");
await benchNative();
