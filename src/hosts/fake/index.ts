// The fake kernel host's public surface: the kernel, its scenarios and the run invariants.
// Everything else in this folder is internal to the model.
export { FakeKernel, type FdInfo } from "./kernel.js";
export type { FromMountinfoOptions } from "./build.js";
export { SCENARIO_NAMES, scenarioRootfs, type ScenarioName, type ScenarioOptions } from "./scenario.js";
export { DEFAULT_ROOTFS, SCENARIOS, type ScenarioData } from "./scenarios.js";
export { checkInvariants, type Invariant, type InvariantId, type RunConfig, type RunOutcome, type StrategyName } from "./invariants.js";
export { escape as escapeMountinfo, unescape as unescapeMountinfo, parseMountinfo, type Entry as MountinfoEntry } from "./mountinfo.js";
