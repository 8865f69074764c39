// Generates docs/profiles.md: for every profile × strategy the exact sequence (the golden plans
// in test/fixtures/plans/, rootfs /r, dry-run host), the runtime version it reproduces, its
// sources and its deviations (src/format/deviations.ts). `node --import tsx scripts/profiles-doc.ts`
// rewrites the file; test/docs.test.ts fails when it is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DEVIATIONS } from "../src/format/deviations.js";
import { PROFILES, STRATEGIES, parseConfig, staticRule } from "../src/schema.js";
import { check } from "../src/check.js";
import { SCENARIO_NAMES } from "../src/hosts/fake/index.js";
import { rootfsFacts } from "../src/rootfs-facts.js";

const root = new URL("..", import.meta.url);

const SOURCES: Record<string, string> = {
  hardened: "runc main as below, plus crun `df308e2` (detach loop), LXC `detect_ramfs_rootfs` (auto), runc 1.1.12 `02120488` (getcwd check); docs/sources.md#hardened",
  runc: "runc main `76d9cf5`, `libcontainer/rootfs_linux.go` prepareRoot/prepareRootfs/pivotRoot/msMoveRoot/chroot; docs/sources.md#runc-main",
  "runc-1.1": "runc 1.1.5+ds1-1+deb12u1 as shipped in Debian 12, straced here (test/fixtures/real/runc-*.strace, WINDOWS.md); docs/sources.md#runc-1-1",
  crun: "crun 1.8.1 as shipped in Debian 12, straced here (test/fixtures/real/crun-*.strace, WINDOWS.md); docs/sources.md#crun-1-8",
  "crun-1.29": "crun main `ba38286`, `linux.c` setup_mount_namespace/maybe_open_tree_namespace/make_parent_mount_private/libcrun_finalize_mounts/do_pivot/move_root/finalize_mounts and `container.c` L1031-L1057; from source, no capture (no package ships it); the fallback path run on the real kernel (Linux 6.18), the Linux 7.0 path from source, unverified; docs/sources.md#crun-1-29",
  youki: "youki main `bc78720` (v0.7.0+, `pivot_rootfs` of PR #3621), `crates/libcontainer`; from source, no capture (no Debian package): the hand-written goldens in test/fixtures/plans/by-hand/youki-*.strace; docs/sources.md#youki",
  bwrap: "bubblewrap 0.8.0 (`4ab175f`) as shipped in Debian 12, `bubblewrap.c` L3055-L3179 and `bind-mount.c`, straced here (test/fixtures/real/bwrap-*.strace, WINDOWS.md), with hand-written goldens in test/fixtures/plans/by-hand/bwrap-*.strace; docs/sources.md#bwrap",
  lxc: "LXC 5.0.2 (`d571736`) as shipped in Debian 12, `conf.c` (lxc_setup_rootfs_prepare_root, turn_into_dependent_mounts, lxc_mount_rootfs, lxc_pivot_root), `storage/dir.c`, `mount_utils.c`, `utils.c` detect_ramfs_rootfs, lxc_chroot (the ramfs path, from source: no capture), straced here (test/fixtures/real/lxc-pivot-*.strace, WINDOWS.md), with hand-written goldens in test/fixtures/plans/by-hand/lxc-*.strace; docs/sources.md#lxc",
};

const STRATEGY_NOTES: Record<string, string> = {
  auto: "hardened reads mountinfo first and picks move when / is the initial ramfs (fstype `rootfs`), pivot otherwise; lxc reads it after its prepare, as LXC's detect_ramfs_rootfs does, and takes lxc_pivot_root unless / is the initial ramfs (then lxc_chroot, its strategy move); the other profiles treat auto as pivot, as their runtimes have no automatic choice.",
  pivot: "`pivot_root(\".\", \".\")` with the old root stacked on the new one, then detached (pivot_root(2) NOTES; runc PR #1125). bwrap pivots twice: first into a tmpfs staging root on /tmp (the host's root on `oldroot`), then `pivot_root(\".\", \".\")` into `/newroot`. lxc binds the rootfs onto its mount point with `open_tree` + `move_mount` first, and after the detach makes the new root rshared.",
  move: "runc's `--no-pivot`: mask the host's full proc/sysfs, then `mount(rootfs, \"/\", MS_MOVE)`, `chroot(\".\")`, `chdir(\"/\")` (runc PR #1962; crun PR #951; youki's move_root is crun's, its tmpfs cover read-only). Refused for bwrap, which has no MS_MOVE fallback (bubblewrap #592). lxc's move is its ramfs path, lxc_chroot: the rootfs bound onto `/` (not MS_MOVE), `/` made rprivate, passes over `./proc/self/mountinfo` unmounting `\".\" + each mount point` of the old tree until a pass unmounts nothing, `umount2(\"./proc\")`, `chdir(\"..\")` onto the new root, `chroot(\".\")`.",
  chroot: "no mount namespace: the steps run in the caller's namespace. hardened and crun 1.8.1 change no mount there (only `chroot` and `chdir`); so `readonly` is refused for hardened (a remount there would be the host's mount), and runc and crun 1.8.1, which ignore it without a mount namespace, are reproduced doing so; crun-1.29 makes the mount the rootfs is on read-only there (libcrun_set_mounts and finalize_mounts run whatever the namespace: a finding about crun main). runc, 1.1.5 and main alike, still runs its prepare phase there (`/` made rslave, the parent made private, the rootfs bound onto itself): on the caller's table every mount loses `shared:` and the bind stays behind. `plan`, `explore` and `diff` model that (host-unchanged VIOLATED on the fake kernel: a finding about runc); `run` always switches in a fresh mount namespace of its own. youki does the same, then `chroot(rootfs)` with no `chdir(\"/\")`: the cwd stays outside the new root (a finding about youki). Refused for bwrap and lxc, which have no chroot mode.",
};

const KINDS = ["dir", "symlink:/srv/real", "missing", "file"] as const;

/** What a profile does with `--rootfs /r --rootfs-kind KIND`, run here on the fake kernel. */
function rootfsCell(profile: (typeof PROFILES)[number], kind: string): string {
  try {
    const t = check({ rootfs: "/r", profile }, { scenario: "rootfs-not-a-mountpoint", rootfsFacts: rootfsFacts("/r", kind) }).trace;
    if (t.outcome.kind === "failed") return `fails: ${t.outcome.errnoName} at \`${t.outcome.step}\``;
    return t.config.rootfs === "/r" ? "done" : `done, every call on \`${t.config.rootfs}\``;
  } catch (e) {
    return `refused before any call: ${(e as Error).message.replace(/ \(.*?\)/, "").replace(/; pass .*$/, "")}`;
  }
}

/** The rootfs as it really is (lstat, or --rootfs-kind), per profile: generated from check(). */
function rootfsTable(): string[] {
  return [
    "## The rootfs as it really is",
    "",
    "`run`, and `plan`/`explore` with `--mountinfo /proc/self/mountinfo`, lstat each component of the",
    "rootfs path; `--rootfs-kind` says it for other tables. What each profile then does (rootfs `/r`,",
    "scenario `rootfs-not-a-mountpoint`, computed by `check()` when this page is generated; why each",
    "profile does it: docs/sources.md, under the profile):",
    "",
    `| \`--rootfs-kind\` | ${PROFILES.join(" | ")} |`, `|---|${PROFILES.map(() => "---").join("|")}|`,
    ...KINDS.map((k) => `| \`${k}\` | ${PROFILES.map((p) => rootfsCell(p, k)).join(" | ")} |`),
    "",
    "runc's own validation also refuses a missing rootfs (`invalid rootfs: stat /r: no such file or",
    "directory`); the runc profiles leave it to the kernel, which fails the same run with ENOENT.",
    "",
  ];
}

/** propagation-after on every scenario × strategy, default root propagation: the crossings, computed. */
function propagationLines(profile: (typeof PROFILES)[number]): string[] {
  const out: string[] = [];
  for (const strategy of STRATEGIES.filter((s) => !staticRule({ profile, strategy: s }))) {
    const where = SCENARIO_NAMES.flatMap((scenario) => {
      const v = check({ profile, strategy }, { scenario }).verdicts.find((x) => x.id === "propagation-after");
      if (!v || (v.held && !v.finding)) return [];
      const what = v.detail.startsWith("a mount under") ? (v.detail.includes("; a host mount") ? "both ways" : "container → host") : "host → container";
      return [`${scenario} (${what}${v.held ? "" : ", VIOLATED"})`];
    });
    if (where.length) out.push(`- \`${strategy}\`: ${where.join(", ")}`);
  }
  return out.length ? out : ["- nothing crosses on any scenario"];
}

/** crun-1.29 on Linux 7.0 (plan's kernel option): open_tree(OPEN_TREE_NAMESPACE) gives an fd, crun setns()es into it. */
function kernel70(): string[] {
  const out = ["### crun-1.29 on Linux 7.0 (from source, unverified)", "",
    "No kernel here has Linux 7.0: these plans follow crun's source (`setup_mount_namespace`, linux.c",
    "L3829-L3852) and crun's commit text for what the kernel does (`plan --kernel 7.0`; the fake kernel",
    "models it with `--kernel 7.0`). There is no `pivot_root` and no `MS_MOVE`, for pivot and move alike.", ""];
  for (const s of ["pivot", "move"]) {
    for (const ro of [false, true]) {
      const name = `crun-1.29-${s}-kernel-7.0${ro ? "-readonly" : ""}`;
      const text = readFileSync(new URL(`test/fixtures/plans/${name}.strace`, root), "utf8");
      out.push(`#### crun-1.29 · ${s}${ro ? " · readonly" : ""} · Linux 7.0`, "", "```", text.trimEnd(), "```", "");
    }
  }
  return out;
}

export function render(): string {
  const out: string[] = [
    "# Profiles",
    "",
    "<!-- Generated by scripts/profiles-doc.ts from test/fixtures/plans/ and src/format/deviations.ts. Do not edit. -->",
    "",
    "A profile is the runtime whose root switch a plan reproduces, to the flag: `runc` (main, the seed),",
    "`runc-1.1` (what Debian 12 ships), `crun` (1.8.1, Debian 12), `crun-1.29` (crun main, 1.29+: from source),",
    "`youki` (main, v0.7.0+, from source:",
    "no capture exists), `bwrap` (bubblewrap 0.8.0, Debian 12: pivot only), `lxc` (LXC 5.0.2, Debian 12: pivot, move (lxc_chroot) and auto)",
    "and `hardened`, our default: runc main",
    "with the changes listed below. Every sequence here is a golden plan of the test suite (rootfs `/r`,",
    "dry-run host with the built-in docker-like mountinfo), so this page cannot drift from the code.",
    "",
    "Each profile is one record in `assembly/profiles.ts`: its steps per strategy, the flags and",
    "strings of its calls (Go's `\"\"` or C's NULL), which errnos each step handles and how (EINTR",
    "retries, the parent walk, the detach loop, mask covers), its message style and the reasons it",
    "gives. The machine reads only those records and never compares a profile id, so a runtime that",
    "uses the existing request kinds needs its record, its goldens and this page's rows; a runtime",
    "that needs a new request kind also touches the ABI (docs/ABI.md): bwrap brought `mkdir` (ABI 4), lxc",
    "`openat2`, `open_tree` and `move_mount` (ABI 5), crun-1.29 `setns` and `mount_setattr` (ABI 6).",
    "",
    "| profile | reproduces | checked against | strategies |", "|---|---|---|---|",
    ...PROFILES.map((p) => `| \`${p}\` | ${DEVIATIONS[p].runtime} | ${DEVIATIONS[p].checked} | ${STRATEGIES.filter((s) => !staticRule({ profile: p, strategy: s })).join(", ")} |`),
    "",
    "| strategy | what it is |", "|---|---|",
    ...STRATEGIES.map((s) => `| \`${s}\` | ${STRATEGY_NOTES[s]} |`),
    "",
    ...rootfsTable(),
  ];
  for (const p of PROFILES) {
    const d = DEVIATIONS[p];
    out.push(`## ${p}`, "", `Reproduces: ${d.runtime}.`, "", `Sources: ${SOURCES[p]}.`, "", "Deviations from that runtime, each with its reason:", "");
    out.push(...d.deviations.map((x) => `- ${x}`), "");
    out.push("What `pivotshim explore` flags on the fake kernel's seven scenarios, and whether the real runtime has it:", "");
    out.push(...(d.flaws.length ? d.flaws.map((x) => `- ${x}`) : ["- nothing: 0 violations for every strategy on every scenario (test/explore.test.ts)"]), "");
    out.push("`propagation-after` with the default root propagation: where a probe mount made after the switch crosses between host and container (docs/verify.md#propagation-after):", "");
    out.push(...propagationLines(p), "");
    for (const s of STRATEGIES) {
      if (staticRule({ profile: p, strategy: s })) {
        let why = "";
        try { parseConfig({ rootfs: "/r", profile: p, strategy: s }); } catch (e) { why = (e as Error).message.replace(/^invalid config:\s*/, "").replace(/^\S+: /, ""); }
        out.push(`### ${p} · ${s}`, "", `Refused before any request: ${why}`, "");
        continue;
      }
      for (const ro of [false, true]) {
        const title = `### ${p} · ${s}${ro ? " · readonly" : ""}`;
        if (staticRule({ profile: p, strategy: s, readonly: ro })) {
          let why = "";
          try { parseConfig({ rootfs: "/r", profile: p, strategy: s, readonly: ro }); } catch (e) { why = (e as Error).message.replace(/^invalid config:\s*/, "").replace(/^\S+: /, ""); }
          out.push(title, "", `Refused before any request: ${why}`, "");
          continue;
        }
        const name = `${p}-${s}${ro ? "-readonly" : ""}`;
        const text = readFileSync(new URL(`test/fixtures/plans/${name}.strace`, root), "utf8");
        out.push(title, "", "```", text.trimEnd(), "```", "");
      }
    }
    if (p === "crun-1.29") out.push(...kernel70());
  }
  return out.join("\n");
}

export const DOC = new URL("docs/profiles.md", root);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeFileSync(DOC, render());
