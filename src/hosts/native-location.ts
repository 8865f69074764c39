// Where the native addon is, and what to tell a user who has none. A prebuilt addon for this
// platform ships in the package (prebuilds/<platform>-<arch>/, made by `npm pack`'s prepack);
// a local build (cmake-js, build/native/) wins over it, so a developer's fresh build is the one used.
import { existsSync } from "node:fs";
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

/** The addon files to try, in order: a local build, then the prebuilt one for this platform. */
export function addonCandidates(): string[] {
  return ["build/native/Release/host.node", prebuiltName()].map((p) => fileURLToPath(new URL(p, ROOT)));
}

/** A git checkout (the AssemblyScript sources are there) builds with npm scripts; a package rebuilds. */
export const isCheckout = (): boolean => existsSync(new URL("assembly/", ROOT));

/** The exact command that builds the addon where it is missing. */
export function buildHint(): string {
  return isCheckout()
    ? "run `npm run build:native` (needs cmake and a C++17 compiler)"
    : `no prebuilt addon for ${process.platform}-${process.arch} in this package: run \`npm rebuild pivotshim\` (needs cmake and a C++17 compiler)`;
}
