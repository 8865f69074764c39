// sethostname(2) on the model: the only UTS call there is (run's hooks make it; no plan does).
// Whose hostname changes is the point: in the host's UTS namespace it would be the host's, which
// run refuses before anything runs (src/run-input.ts: a sethostname hook needs uts: true).
import { EINVAL, EPERM, HOST_NAME_MAX } from "../../abi.js";
import type { Result } from "../../request.js";
import type { Proc, State } from "./model.js";
import { encodeString } from "../../utf8.js";

/**
 * CAP_SYS_ADMIN over the user namespace that owns the UTS namespace (kernel/sys.c): a rootless
 * process has it only over a UTS namespace it unshared with its user namespace.
 */
export function sysSethostname(s: State, p: Proc, name: string): Result {
  // The capability first, then the length (kernel/sys.c; test/mutation-kills-fake-kernel.test.ts).
  const userns = s.nss.get(p.ns)?.userns ?? false;
  if (!p.cap || (userns && !p.ownUts)) return { errno: EPERM };
  if (encodeString(name).length > HOST_NAME_MAX) return { errno: EINVAL };
  if (p.ownUts) p.hostname = name;
  return { ret: 0 };
}
