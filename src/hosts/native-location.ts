// Where the native addon is, and what to tell a user who has none. A prebuilt addon for this
// platform ships in the package (prebuilds/<platform>-<arch>/, made by `npm pack`'s prepack);
// a local build (cmake-js, build/native/) wins over it, so a developer's fresh build is the one used.
// PIVOTSHIM_ADDON=<file> names the one addon to load instead (npm run test:asan points it at the
// sanitizer build, build/asan/Release/host.node); nothing else is tried then.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: two levels up from src/hosts (tsx) or three from dist/src/hosts. */
const ROOT = [new URL("../../", import.meta.url), new URL("../../../", import.meta.url)]
  .find((u) => existsSync(new URL("package.json", u)))!;

/** prebuilds/<platform>-<arch>/pivotshim.<libc>.node: the name that `npm pack` writes (scripts/prebuild.mjs). */
export function prebuiltName(): string {
  // The addon links glibc; a musl Node cannot load it (process.report says which libc runs).
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  const libc = header?.glibcVersionRuntime ? "glibc" : "musl";
  return `prebuilds/${process.platform}-${process.arch}/pivotshim.${libc}.node`;
}

/** The environment variable that names the addon file to load, overriding the search. */
export const ADDON_ENV = "PIVOTSHIM_ADDON";

/** The file PIVOTSHIM_ADDON names (relative to the working directory), or null when it is unset or empty. */
export function addonOverride(): string | null {
  const v = process.env[ADDON_ENV];
  return v ? resolve(v) : null;
}

/** The addon files to try, in order: PIVOTSHIM_ADDON alone when set; else a local build, then the prebuilt one. */
export function addonCandidates(): string[] {
  const override = addonOverride();
  if (override) return [override];
  return ["build/native/Release/host.node", prebuiltName()].map((p) => fileURLToPath(new URL(p, ROOT)));
}

/** A git checkout (the AssemblyScript sources are there) builds with npm scripts; a package rebuilds. */
export const isCheckout = (): boolean => existsSync(new URL("assembly/", ROOT));

/** The exact command that builds the addon where it is missing. */
export function buildHint(): string {
  const override = addonOverride();
  if (override) return `${ADDON_ENV} names ${override}, which is not there: build it (npm run test:asan builds build/asan/Release/host.node) or unset ${ADDON_ENV}`;
  return isCheckout()
    ? "run `npm run build:native` (needs cmake and a C++17 compiler)"
    : `no prebuilt addon for ${process.platform}-${process.arch} in this package: run \`npm rebuild pivotshim\` (needs cmake and a C++17 compiler)`;
}
