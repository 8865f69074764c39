// The command line loads only the command it runs (src/commands/program.ts): `pivotshim --help`
// loads none (not zod, not the machine), and lists each command exactly as the loaded modules
// would; a command named (or `help NAME`) loads its module, so its own help is the real one.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { namedCommand, program } from "../src/commands/program.js";
import { COMMAND_LINES, type CommandName } from "../src/commands/descriptions.js";
import { hasStrace, openedFiles } from "./helpers/opened-files.js";

const NAMES = Object.keys(COMMAND_LINES) as CommandName[];
const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));

test("the top-level help from the stubs is the help with every command loaded", async () => {
  assert.fixture((await program([])).helpInformation(), (await program("all")).helpInformation());
  for (const name of NAMES) {
    // With one command loaded, the others stubbed: the same top-level help, and that command's own.
    const one = await program([name]);
    assert.fixture(one.helpInformation(), (await program("all")).helpInformation(), name);
    const own = (p: Awaited<ReturnType<typeof program>>) => p.commands.find((c) => c.name() === name)!.helpInformation();
    assert.fixture(own(one), own(await program("all")), `${name}'s own help`);
  }
});

test("which module argv names: the first word that is not an option, or the one after help", () => {
  const cases: [string[], CommandName | null][] = [
    [["plan"], "plan"], [["plan", "--profile", "runc"], "plan"], [["--help"], null], [[], null], [["-V"], null],
    [["help", "replay"], "replay"], [["help"], null], [["plann"], null], [["run", "--", "/bin/sh", "plan"], "run"],
  ];
  for (const [argv, want] of cases) assert.is(namedCommand(argv), want, argv.join(" "));
});

(hasStrace ? test : test.skip)("pivotshim --help opens no module of zod, the machine or the fake kernel; plan does", () => {
  const help = openedFiles(CLI, ["--help"]);
  for (const heavy of ["/node_modules/zod/", "/dist/src/machine.js", "/dist/src/hosts/fake/", "/dist/src/commands/plan.js"]) {
    assert.not.ok(help.includes(heavy), `--help opened ${heavy}`);
  }
  const plan = openedFiles(CLI, ["plan"]);
  for (const heavy of ["/node_modules/zod/", "/dist/src/machine.js", "/dist/src/commands/plan.js"]) assert.ok(plan.includes(heavy), `plan opened ${heavy}`);
  assert.not.ok(plan.includes("/dist/src/commands/diff.js"), "plan does not load diff");
});
if (!hasStrace) console.error("SKIP pivotshim --help opens no module of zod ...: strace is not installed (apt-get install strace)");

test.run();
