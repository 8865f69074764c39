// zod schemas for everything that enters from outside: the config (CLI flags or a library
// caller), fault specs, and (later) trace files. Validation happens here, before any request.
import * as z from "zod";
import { InvalidInputError } from "./errors.js";
import { ALL_ERRNO_NAMES } from "./names-ts.js";
import { OP_NAMES } from "./request.js";
import { HookSchema } from "./request-schema.js";
import { MAX_HOOKS, CONFIG_RULES, RULE_COLUMNS, ConfigRule, MS_PROPAGATION, MS_REC, MAX_TIMEOUT_MS, OPT_READONLY, PATH_MAX, Strategy } from "./abi.js";
import { encodeString } from "./utf8.js";
import { PROFILE_CODE, propagationFlags } from "./config.js";

/** Where `plan` points when no --rootfs is given: a path, never touched by a dry run. */
export const DEFAULT_ROOTFS = "/var/lib/pivotshim/rootfs";

export const PROFILES = ["hardened", "runc", "runc-1.1", "crun", "youki", "bwrap", "lxc", "crun-1.29"] as const;
export const STRATEGIES = ["auto", "pivot", "move", "chroot"] as const;
export const PROPAGATIONS = ["shared", "rshared", "slave", "rslave", "private", "rprivate", "unbindable", "runbindable"] as const;

const rootfs = z.string()
  .refine((s) => s.startsWith("/"), "must be an absolute path (start with /)")
  .refine((s) => s !== "/", "must not be / itself: the new root has to be a directory below it")
  .refine((s) => !s.includes("\0"), "must not contain a NUL byte")
  // Counted as the kernel sees it: a non-UTF-8 byte (U+DC80+b, src/utf8.ts) is one byte, not three.
  .refine((s) => encodeString(s).length < PATH_MAX, `must be at most ${PATH_MAX - 1} bytes (PATH_MAX - 1)`)
  .refine((s) => s === "/" || !s.endsWith("/"), "must not end with / (write /a/b, not /a/b/)")
  .refine((s) => !s.includes("//"), "must not contain // (write /a/b, not /a//b)")
  .refine((s) => !s.split("/").some((c) => c === "." || c === ".."), "must be clean: no . or .. components");

export const ConfigSchema = z.object({
  rootfs: rootfs.default(DEFAULT_ROOTFS).describe("the new root: an absolute, clean path"),
  profile: z.enum(PROFILES).default("hardened").describe("which runtime the plan reproduces"),
  strategy: z.enum(STRATEGIES).default("auto").describe("pivot_root, MS_MOVE+chroot, chroot, or auto"),
  rootPropagation: z.enum(PROPAGATIONS).optional().describe("propagation of / (default: the profile's own)"),
  readonly: z.boolean().default(false).describe("remount the new root read-only, where the runtime does"),
  prepare: z.boolean().default(true).describe("run the prepare phase (propagation of /, parent walk, self bind)"),
  selfBind: z.boolean().default(true).describe("bind the rootfs onto itself during prepare"),
  userns: z.boolean().optional().describe("the container has a user namespace, or the runtime runs in one (crun-1.29 then does not try OPEN_TREE_NAMESPACE)"),
}).strict().superRefine((c, ctx) => {
  const rule = staticRule(c);
  if (rule) ctx.addIssue({ code: "custom", path: [RULE_FIELD[rule] ?? "rootPropagation"], message: RULE_MESSAGES[rule](c) });
});

/** The config field each rule blames (rootPropagation unless named here). */
const RULE_FIELD: Partial<Record<ConfigRule, "strategy" | "readonly">> = {
  [ConfigRule.pivot_only]: "strategy", [ConfigRule.lxc_no_chroot]: "strategy",
  [ConfigRule.lxc_readonly]: "readonly", [ConfigRule.chroot_readonly]: "readonly",
};

/** Why each row of the static rule table (abi.ts CONFIG_RULES) refuses; the machine's check() says the same. */
const RULE_MESSAGES: Record<ConfigRule, (c: { rootPropagation?: string; strategy?: string }) => string> = {
  [ConfigRule.private_move]: (c) => `${c.rootPropagation} with strategy move is rejected, as runc rejects it: "rootfsPropagation of [r]private is not safe without pivot_root" (runc PR #1606); use rslave or strategy pivot (crun accepts it: --profile crun)`,
  [ConfigRule.recursive_propagation]: (c) => `youki refuses rootfsPropagation ${c.rootPropagation}: it knows only shared, private, slave and unbindable (RootfsError::UnknownRootfsPropagation, before its first mount; docs/sources.md#youki); use ${c.rootPropagation?.slice(1)}`,
  [ConfigRule.pivot_only]: (c) => `bwrap switches root only with pivot_root: strategy ${c.strategy} is refused, as bubblewrap has no MS_MOVE fallback (issue #592, open) and no chroot mode (docs/sources.md#bwrap); use strategy pivot or auto`,
  [ConfigRule.lxc_no_chroot]: (c) => `lxc switches root with lxc_pivot_root (strategy pivot) or lxc_chroot (strategy move; auto takes it when "/" is the initial ramfs): strategy ${c.strategy} is refused, as LXC has no chroot mode (docs/sources.md#lxc); use strategy auto, pivot or move`,
  [ConfigRule.chroot_propagation]: () => "the chroot strategy runs without a mount namespace, so it must not change propagation; drop rootPropagation or use pivot/move",
  [ConfigRule.lxc_readonly]: () => "lxc: readonly is refused, not planned without it: LXC makes the root read-only (lxc.rootfs.options=ro) with a mount_setattr on the detached copy of the rootfs, which this profile does not model (docs/sources.md#lxc); drop readonly, or plan it with another profile",
  [ConfigRule.lxc_propagation]: (c) => `lxc: rootPropagation ${c.rootPropagation} is refused, not planned without it: LXC sets the rootfs's propagation from lxc.rootfs.options on the copy of the rootfs, which this profile does not model (docs/sources.md#lxc); drop rootPropagation (LXC's own default is planned)`,
  [ConfigRule.chroot_readonly]: () => "hardened: readonly with strategy chroot is refused: chroot runs without a mount namespace, so a read-only remount of the rootfs would change the host's mount; use strategy pivot or move, or drop readonly",
};

/** The row of abi.ts CONFIG_RULES that refuses this config, or 0 (the same walk as assembly/config.ts check()). */
export function staticRule(c: { profile: (typeof PROFILES)[number]; strategy: (typeof STRATEGIES)[number]; rootPropagation?: (typeof PROPAGATIONS)[number]; readonly?: boolean }): ConfigRule | 0 {
  const flags = propagationFlags(c.rootPropagation);
  const kind = flags & MS_PROPAGATION;
  const profile = 1 << PROFILE_CODE[c.profile];
  const strategy = 1 << Strategy[c.strategy];
  const options = c.readonly ? OPT_READONLY : 0;
  for (let i = 0; i < CONFIG_RULES.length; i += RULE_COLUMNS) {
    const kinds = CONFIG_RULES[i + 3]!;
    const needs = CONFIG_RULES[i + 4]!;
    // A row without kinds (0) refuses whatever the propagation, unset included (bwrap's pivot_only).
    if ((CONFIG_RULES[i + 1]! & profile) !== 0 && (CONFIG_RULES[i + 2]! & strategy) !== 0 &&
      (kinds === 0 || ((kinds & kind) !== 0 && (kinds & MS_REC & ~flags) === 0)) &&
      (options & needs) === needs) return CONFIG_RULES[i] as ConfigRule;
  }
  return 0;
}

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** OP=ERRNO fails the first such call; OP#N=ERRNO the Nth (1-based). */
export const FaultSchema = z.string().transform((s, ctx) => {
  const m = /^([a-z_0-9]+)(?:#(\d+))?=([A-Z0-9]+)$/.exec(s);
  if (!m) {
    ctx.addIssue({ code: "custom", message: `"${s}" is not OP=ERRNO or OP#N=ERRNO (e.g. pivot_root=EINVAL, umount2#2=EBUSY)` });
    return z.NEVER;
  }
  const [, op, nth, errno] = m as unknown as [string, string, string | undefined, string];
  if (!(OP_NAMES as readonly string[]).includes(op)) {
    ctx.addIssue({ code: "custom", message: `unknown op "${op}"; expected one of ${OP_NAMES.join(", ")}` });
    return z.NEVER;
  }
  if (!ALL_ERRNO_NAMES.includes(errno)) {
    ctx.addIssue({ code: "custom", message: `unknown errno "${errno}"; expected a name such as EINVAL, EPERM, EBUSY, ENOENT` });
    return z.NEVER;
  }
  const n = nth === undefined ? 1 : Number(nth);
  if (n < 1) { ctx.addIssue({ code: "custom", message: `"#${nth}": calls are counted from 1` }); return z.NEVER; }
  return { op, nth: n, errno };
});
export type Fault = z.output<typeof FaultSchema>;

/** Readable zod issues: "rootfs: must be an absolute path (start with /)". */
export function issuesOf(err: z.ZodError, prefix = ""): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: prefix + i.path.map(String).join("."), message: i.message }));
}

/** Parses with `schema` or throws InvalidInputError listing every problem. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what: string, prefix = ""): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = issuesOf(r.error, prefix);
  const lines = issues.map((i) => `  ${i.path || "(input)"}: ${i.message}`).join("\n");
  throw new InvalidInputError(`invalid ${what}:\n${lines}`, issues);
}

/** Configs this module produced: parsing one again is a no-op (explore drives thousands of runs). */
const parsed = new WeakSet<object>();
export function parseConfig(input: unknown): Config {
  if (typeof input === "object" && input !== null && parsed.has(input)) return input as Config;
  const c = Object.freeze(parseOrThrow(ConfigSchema, input ?? {}, "config"));
  parsed.add(c);
  return c;
}
export const parseFaults = (specs: readonly string[]): Fault[] =>
  specs.map((s, i) => parseOrThrow(FaultSchema, s, "fault", `fail[${i}]`));

// ---------------------------------------------------------------------------------------------
// RunSpec (src/run.ts): what run() executes in the new root, checked before anything is spawned.

const kernelString = z.string().refine((s) => !s.includes("\0"), "must not contain a NUL byte (the kernel takes C strings)");
const callable = z.custom<(...a: never[]) => unknown>((v) => typeof v === "function", "must be a function");

/** Milliseconds a Node timer can wait: Node silently turns a longer wait into 1 ms. */
const timerMs = z.number().int("must be a whole number of milliseconds").min(1, "must be at least 1 ms")
  .max(MAX_TIMEOUT_MS, `must be at most ${MAX_TIMEOUT_MS} ms (2^31 - 1, the longest wait a Node timer takes)`);

export const RunSpecSchema = z.strictObject({
  command: kernelString.refine((s) => s !== "", "must not be empty"),
  args: z.array(kernelString).optional(),
  env: z.union([z.record(z.string(), kernelString), z.array(kernelString.refine((s) => s.includes("="), 'must be "KEY=VALUE"'))]).optional(),
  cwd: kernelString.optional(),
  rootless: z.boolean().optional(),
  pidNamespace: z.boolean().optional(),
  uts: z.boolean().optional(),
  timeoutMs: timerMs.optional(),
  stdio: z.tuple([z.number().int().min(-1), z.number().int().min(-1), z.number().int().min(-1)]).optional(),
  drive: z.custom<object>((v) => typeof v === "object" && v !== null, "must be an object (DriveOptions)").optional(),
  host: callable.optional(),
  batch: z.boolean().optional(),
  autonomous: z.boolean().optional(),
  verify: z.boolean().optional(),
  final: z.boolean().optional(),
  deadlineMs: timerMs.optional(),
  signal: z.instanceof(AbortSignal, { message: "must be an AbortSignal" }).optional(),
  hooks: z.array(HookSchema).max(MAX_HOOKS, `at most ${MAX_HOOKS} hooks`).optional(),
}).superRefine((spec, ctx) => {
  // Without a UTS namespace of the executor's own, sethostname renames the host (kernel/sys.c).
  spec.hooks?.forEach((h, i) => {
    if (h.op === "sethostname" && spec.uts !== true) ctx.addIssue({ code: "custom", path: ["hooks", i], message: "sethostname needs uts: true (a UTS namespace of the executor's own); without one it would rename the host" });
  });
});

/** Throws InvalidInputError listing every problem of a RunSpec; returns it unchanged otherwise. */
export function checkRunSpec<T>(spec: T): T {
  parseOrThrow(RunSpecSchema, spec, "run spec");
  return spec;
}

// ---------------------------------------------------------------------------------------------
// The options of the library's entry points (plan, check, explore), checked once per call.

const hostLike = z.custom<object>((v) => typeof v === "object" && v !== null && typeof (v as { exec?: unknown }).exec === "function",
  "must be a host: an object with an exec(request) method");

/** The kernel a model answers as (src/hosts/fake/sys-ns.ts, the dry-run host): 6.18 (default) or 7.0 (OPEN_TREE_NAMESPACE). */
export const KERNEL_VERSIONS = ["6.18", "7.0"] as const;
function kernelVersion() {
  return z.enum(KERNEL_VERSIONS, { error: (iss) => `must be one of ${KERNEL_VERSIONS.join(", ")} (the Linux versions the models answer as), not ${JSON.stringify(iss.input)}` });
}
export const PlanOptionsSchema = z.strictObject({
  faults: z.array(z.string()).optional(), mountinfo: z.string().optional(), host: hostLike.optional(), kernel: kernelVersion().optional(),
});
/** What the rootfs path is, component by component (src/hosts/fake/path-facts.ts PathFact). */
const pathFacts = z.array(z.union([
  z.strictObject({ path: z.string(), kind: z.enum(["dir", "file", "missing"]) }),
  z.strictObject({ path: z.string(), kind: z.literal("symlink"), target: z.string() }),
]));
const kernel = kernelVersion();
export const CheckOptionsSchema = z.strictObject({
  scenario: z.string().optional(), mountinfo: z.string().optional(), faults: z.array(z.string()).optional(),
  rootfsFacts: pathFacts.optional(), kernel: kernel.optional(),
});
export const ExploreOptionsSchema = z.strictObject({
  double: z.boolean().optional(), onProgress: callable.optional(),
  scenario: z.string().optional(), mountinfo: z.string().optional(), rootfsFacts: pathFacts.optional(), kernel: kernel.optional(),
});

/** Throws InvalidInputError listing every problem of an options object (`what`: "plan options"). */
export function checkOptions<T>(schema: z.ZodType, opts: T, what: string): T {
  parseOrThrow(schema, opts, what);
  return opts;
}
