// The library's public surface (typed ESM). Everything a runtime author, auditor or test suite
// needs; nothing here does I/O at import time except compiling the wasm lazily on first use.
export { plan, type PlanOptions } from "./plan.js";
export { drive, driveAsync, type DriveOptions } from "./driver.js";
export { Machine, compile, type Outcome, type Next, type Encoded } from "./machine.js";
export { DryRunHost, type DryRunOptions } from "./hosts/dry-run.js";
export { RecordingHost, type Call, type Recorded } from "./hosts/recording.js";
export { FaultyHost, MAN_ERRNOS, type FaultSpec } from "./hosts/faults.js";
export type { Host, AsyncHost, HostKind } from "./hosts/host.js";
export { isErr, type Request, type Result, type OpName } from "./request.js";
export { ConfigSchema, parseConfig, DEFAULT_ROOTFS, PROFILES, STRATEGIES, PROPAGATIONS, type Config, type ConfigInput } from "./schema.js";
export { encode } from "./config.js";
export type { Trace, TraceStep, TraceResult, TraceSource, RunTrace, FinalState } from "./trace.js";
export { format, formatStrace, formatText, formatJson, FORMATS, type Format } from "./format/index.js";
export * from "./errors.js";
export * as abi from "./abi.js";
export { check, kernelFor, fakePathHost, type CheckOptions, type Checked } from "./check.js";
export { explore, type ExploreReport, type ExplorePath, type Verdict, type PathHost, type ExploreOptions } from "./explore.js";
export { FakeKernel, checkInvariants, SCENARIO_NAMES, type ScenarioName } from "./hosts/fake/index.js";
export { run, probeEnvironment, DEFAULT_PATH, RunAbortedError, type RunSpec, type RunResult, type RunExit, type EnvironmentReport } from "./run.js";
export { spawnExecutor, NativeHostError, DEFAULT_TIMEOUT_MS, type Executor, type ExecutorOptions, type ExitStatus } from "./hosts/native.js";
export { doctor, type DoctorReport } from "./commands/doctor.js";
export { TraceSchema, RequestSchema, TraceResultSchema, parseTrace, parseTraceText, parseRunTrace, parseRunTraceText } from "./trace-schema.js";
export { ReplayHost, sideBySide } from "./hosts/replay.js";
export { replay, type ReplayResult } from "./replay.js";
export { formatMarkdown, findings, type Finding } from "./format/markdown.js";
export { planBranches, toDot, toMermaid, type Branch, type PlanBranches } from "./format/graph.js";
export { DEVIATIONS, type ProfileDeviations } from "./format/deviations.js";
export { diff, renderText as renderDiffText, renderJson as renderDiffJson, NoSwitchError, findWindow, type DiffReport, type DiffOptions, type StepResult, type FieldDiff, type Window as SwitchWindow } from "./diff/index.js";
