// The command line's documented exit codes, alone in a module without imports so that the entry
// (src/cli.ts) can use them before the program loads.

/**
 * 0 ok; 1 plan failed / differs / invariant violated; 2 usage or input; 3 environment;
 * 70 a bug in pivotshim (sysexits.h EX_SOFTWARE, "internal software error").
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, environment: 3, bug: 70 } as const;
