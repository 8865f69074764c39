// Each command's name and one line, in the order `pivotshim --help` lists them: the one place they
// are written. A light module (no imports), so that the top-level help and a command's own
// module share the words while only the named command is loaded (program.ts).
export const COMMAND_LINES = {
  plan: "print the exact syscalls of the root switch, run on a model of the host and verified",
  explore: "fail every step with every errno its man page lists, on the fake kernel, and check the invariants on each path",
  run: "switch the root for real in new namespaces, then run a command in it (root mode is not a sandbox)",
  doctor: "report what this host supports for `pivotshim run`, by trying in throwaway namespaces",
  replay: "re-drive the machine with a recorded trace's config and check every request against the recording",
  graph: "draw the plan and every failure branch (each step × each errno its man page lists)",
  schema: "print the JSON Schema of a config or a trace file (generated from the zod schemas)",
  diff: "compare a plan with the root switch seen in a real strace -f log",
} as const;

export type CommandName = keyof typeof COMMAND_LINES;

/** The arguments each command takes, as its usage line shows them. */
export const COMMAND_ARGS: Readonly<Partial<Record<CommandName, string>>> = { run: "[command...]", replay: "<file>", schema: "<name>" };

/** The commands that take no options (the others show "[options]"). */
export const WITHOUT_OPTIONS: readonly CommandName[] = ["schema"];
