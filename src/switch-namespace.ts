// The namespace attribute of a strategy: where a runtime's switch runs. pivot and move run in a
// fresh mount namespace (the runtime unshares one); chroot is the runtime without CLONE_NEWNS, so
// its steps run in the CALLER's namespace. plan, explore and diff model the runtime and put a
// chroot plan there; run's prediction (predict.ts) models our executor, which always unshares.
import type { Config } from "./schema.js";
import type { FakeKernel } from "./hosts/fake/index.js";
import { fork } from "./hosts/fake/build.js";

export type SwitchNamespace = "fresh" | "caller";

/**
 * chroot: the caller's namespace. runc (1.1.5 and main) still runs prepareRoot there, so "/"
 * loses shared: and the self-bind stays in the caller's table (docs/sources.md#runc-1-1); crun
 * 1.8.1 and hardened change no mount then, so the same model shows nothing for them.
 */
export function switchNamespace(strategy: Config["strategy"]): SwitchNamespace {
  return strategy === "chroot" ? "caller" : "fresh";
}

/**
 * Makes the process that runs `config` on `k` current: a fork of the host process that stays in
 * the host namespace (chroot), or a fork that unshares (the others). `unshared`: `k` already has
 * a current process in a fresh namespace (a built-in scenario); a caller-namespace plan then
 * forks the host again, and the scenario's unshared copy stays unused.
 */
export function enterSwitchNamespace(k: FakeKernel, config: Pick<Config, "strategy">, unshared = false): FakeKernel {
  if (switchNamespace(config.strategy) === "fresh") return unshared ? k : k.unshare();
  const runner = fork(k.state, k.hostProcess);
  k.state.current = runner.pid;
  return k;
}
