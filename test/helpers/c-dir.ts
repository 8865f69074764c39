// Where the C tests find libpivotshim's programs: build/c, or the folder PIVOTSHIM_C_DIR names (the
// sanitizer stage, scripts/test-asan.sh, points it at build/asan/c, built with ASan and UBSan).
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The folder of the C programs (machine-driver, run-driver, reserve-check, pivotshim-exec). */
export const C_DIR = process.env.PIVOTSHIM_C_DIR ? resolve(ROOT, process.env.PIVOTSHIM_C_DIR) : join(ROOT, "build/c");

/** A C program of that folder. */
export const cProgram = (name: string): string => join(C_DIR, name);
