// Whether tests can act as nobody (65534) through setpriv: setpriv must exist and nobody must be
// able to read this checkout (a clone under a 0700 home is not). Returns the reason to skip, or null.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"];

export function nobodyReason(): string | null {
  if (spawnSync("setpriv", ["--version"]).status !== 0) return "setpriv (util-linux) not found";
  const probe = fileURLToPath(new URL("../../node_modules/tsx/package.json", import.meta.url));
  const r = spawnSync("setpriv", [...NOBODY, "test", "-r", probe]);
  return r.status === 0 ? null : `nobody (65534) cannot read this checkout (${probe}); clone it where others can read it`;
}
