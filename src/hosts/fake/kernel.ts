// FakeKernel: the Host that executes each request on the model, as the current process.
// Owns dispatch, construction (fromMountinfo, scenario), clone/snapshot and read-only views
// for tests and invariants. The syscall rules live in sys-*.ts.
import type { Host } from "../host.js";
import { ENOSYS } from "../../abi.js";
import type { Request, Result } from "../../request.js";
import { type FromMountinfoOptions, fork, mkdirp, stateFromMountinfo, symlinkp, unshare } from "./build.js";
import { type Proc, type State, cloneState } from "./model.js";
import { renderMountinfo } from "./mountinfo.js";
import { pathFrom } from "./resolve.js";
import { type ScenarioName, type ScenarioOptions, buildScenario } from "./scenario.js";
import { sysChdir, sysChroot, sysFchdir, sysGetcwd, sysOpenat, sysRead, cwdString } from "./sys-fs.js";
import { sysMkdir, sysSymlink } from "./sys-mkdir.js";
import { sysOpenat2 } from "./sys-openat2.js";
import { sysCloseFd, sysMoveMount, sysOpenTree } from "./sys-open-tree.js";
import { sysMount } from "./sys-mount.js";
import { sysSethostname } from "./sys-uts.js";
import { dropIfDead, sysMountSetattr, sysSetns } from "./sys-ns.js";
import { sysPivotRoot, sysUmount2 } from "./sys-umount-pivot.js";

/** One row of a process's fd table, as tests and invariant (4) compare it. */
export interface FdInfo { fd: number; kind: string; mount: number; ino: number; cloexec: boolean }

export class FakeKernel implements Host {
  readonly kind = "fake-kernel" as const;

  /** A frozen kernel is a template: it only gets cloned and compared against, so views are memoized. */
  #frozen = false;
  readonly #memo = new Map<string, string | FdInfo[]>();

  /** Wraps a state; use fromMountinfo() or scenario() to get one. */
  constructor(readonly state: State) {}

  /**
   * Marks this kernel as a template (the "before" of many runs, as explore() uses it): it refuses
   * requests from now on, and its mountinfo and fd table are rendered once and remembered.
   */
  freeze(): this {
    this.#frozen = true;
    return this;
  }

  get frozen(): boolean { return this.#frozen; }

  #mutable(what: string): void {
    if (this.#frozen) throw new TypeError(`${what} on a frozen FakeKernel: it is a template, clone() it first`);
  }

  #memoized<T extends string | FdInfo[]>(key: string, make: () => T): T {
    if (!this.#frozen) return make();
    let v = this.#memo.get(key) as T | undefined;
    if (v === undefined) { v = make(); this.#memo.set(key, v); }
    return v;
  }

  /** A model of one namespace from a real mountinfo text (ids, devs and order kept), process 1 in it. */
  static fromMountinfo(text: string, opts: FromMountinfoOptions = {}): FakeKernel {
    return new FakeKernel(stateFromMountinfo(text, opts));
  }

  /** A built-in scenario: host namespace + a container process in a freshly unshared namespace. */
  static scenario(name: ScenarioName, opts: ScenarioOptions = {}): FakeKernel {
    return new FakeKernel(buildScenario(name, opts));
  }

  exec(req: Request): Result {
    this.#mutable(req.op);
    const s = this.state;
    const p = this.process;
    switch (req.op) {
      case "openat": return sysOpenat(s, p, req.dirfd, req.pathname, req.flags);
      case "read": return sysRead(s, p, req.fd, req.count);
      case "close": return sysCloseFd(s, p, req.fd); // sysClose, and the unmount of a detached tree (ABI 5)
      case "fchdir": return sysFchdir(s, p, req.fd);
      case "chdir": return sysChdir(s, p, req.path);
      case "chroot": return sysChroot(s, p, req.path);
      case "pivot_root": return sysPivotRoot(s, p, req.new_root, req.put_old);
      case "mount": return sysMount(s, p, req);
      case "umount2": return sysUmount2(s, p, req.target, req.flags);
      case "getcwd": return sysGetcwd(s, p, req.size);
      case "sethostname": return sysSethostname(s, p, req.name);
      case "mkdir": return sysMkdir(s, p, req.pathname);
      case "openat2": return sysOpenat2(s, p, req.dirfd, req.pathname, req.flags, req.mode, req.resolve);
      case "open_tree": return sysOpenTree(s, p, req.dirfd, req.pathname, req.flags);
      case "move_mount": return sysMoveMount(s, p, req.from_dirfd, req.from_pathname, req.to_dirfd, req.to_pathname, req.flags);
      case "setns": return sysSetns(s, p, req.fd, req.nstype);
      case "mount_setattr": return sysMountSetattr(s, p, req.dirfd, req.pathname, req.flags, req.attr_set, req.propagation);
      // An op this model does not know (a newer caller's): ENOSYS, as the executor answers it.
      default: return { errno: ENOSYS };
    }
  }

  /** A deep copy (dentry trees are shared: they never change). */
  clone(): FakeKernel {
    return new FakeKernel(cloneState(this.state));
  }

  /** The "before" of a run, for checkInvariants. Same as clone(); named for intent. */
  snapshot(): FakeKernel {
    return this.clone();
  }

  /** The process that executes requests. */
  get process(): Proc {
    return this.proc(this.state.current);
  }

  /** A process of the host namespace (pid 1). */
  get hostProcess(): Proc {
    return this.proc(this.state.hostPid);
  }

  proc(pid: number): Proc {
    const p = this.state.procs.get(pid);
    if (!p) throw new RangeError(`no process ${pid}`);
    return p;
  }

  /** /proc/self/mountinfo as process `pid` (default: the current one) would read it now. */
  mountinfo(pid = this.state.current): string {
    return this.#memoized(`mountinfo:${pid}`, () => renderMountinfo(this.state, this.proc(pid)));
  }

  /** The host namespace's mountinfo, seen by the host process. */
  hostMountinfo(): string {
    return this.mountinfo(this.state.hostPid);
  }

  /** What getcwd(2) would return for the current process, "(unreachable)" prefix included. */
  cwd(): string {
    return cwdString(this.state, this.process);
  }

  /** The current process's root as the host process would name it ("(unreachable)/..." if it cannot). */
  rootSeenFromHost(): string {
    const at = pathFrom(this.state, this.process.root, this.hostProcess.root);
    return (at.unreachable ? "(unreachable)" : "") + at.path;
  }

  fdTable(pid = this.state.current): FdInfo[] {
    return this.#memoized(`fds:${pid}`, () => this.#fdTable(pid));
  }

  #fdTable(pid: number): FdInfo[] {
    return [...this.proc(pid).fds].sort(([a], [b]) => a - b)
      .map(([fd, f]) => ({ fd, kind: f.kind, mount: f.mnt, ino: f.ino, cloexec: f.cloexec }));
  }

  /** Test setup: mkdir -p as the current process sees the path (copy on write of the tree). */
  mkdir(path: string): this {
    this.#mutable("mkdir");
    mkdirp(this.state, this.process, path);
    return this;
  }

  /** Test setup: a symlink `path` -> `target`, as the current process sees `path`. */
  symlink(path: string, target: string): this {
    this.#mutable("symlink");
    symlinkp(this.state, this.process, path, target);
    return this;
  }

  /**
   * Test setup: symlink(2) as the current process: `pathname` -> `target`, created where the
   * kernel would (its parent looked up as mkdir(2) does), with its errno. symlink() above is the
   * plain helper: it makes missing parents and walks names as they are.
   */
  symlinkAt(target: string, pathname: string): Result {
    this.#mutable("symlinkAt");
    return sysSymlink(this.state, this.process, target, pathname);
  }

  /**
   * Test setup: process `pid` (not the current one) exits. Its fds close, each as close(2) does
   * (a detached tree only it held is dissolved, an nsfs fd lets go of its namespace), and the
   * mount namespace it was in dies if nothing else holds it. With unshare(), this is how a test
   * has Linux's unshare, where the process itself moves and may leave its namespace empty.
   */
  exit(pid: number): this {
    this.#mutable("exit");
    if (pid === this.state.current) throw new RangeError(`exit(${pid}): that is the current process; make another current first`);
    const p = this.proc(pid);
    for (const fd of [...p.fds.keys()]) sysCloseFd(this.state, p, fd);
    this.state.procs.delete(pid);
    dropIfDead(this.state, p.ns);
    return this;
  }

  /**
   * Test setup: fork the current process (the child shares its namespace and has copies of its
   * root, cwd and fds); the parent stays current. Returns the child's pid. A harness whose real
   * side forks a process early (the kernel oracle's B) forks it here at the same point, so that a
   * later chroot or chdir of the parent is not inherited, and a pivot_root moves it along.
   */
  fork(): number {
    this.#mutable("fork");
    return fork(this.state, this.process).pid;
  }

  /** Test setup: fork the current process and unshare its mount namespace; the child becomes current. */
  unshare(opts: { userns?: boolean } = {}): this {
    this.#mutable("unshare");
    const child = fork(this.state, this.process);
    unshare(this.state, child, opts.userns ?? false);
    this.state.current = child.pid;
    return this;
  }
}
