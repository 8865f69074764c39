// npm run bench: every benchmark, in one run, so ratios are measured side by side.
import { benchMachine } from "./machine.js";

console.log("# machine");
benchMachine();
