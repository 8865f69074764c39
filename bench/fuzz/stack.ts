// Where a hung worker is stuck: the main thread attaches the inspector to the worker (NodeWorker
// domain), pauses it (V8 interrupts even a tight synchronous loop) and reads the top frames, so
// hangs get a class ("hang in build.ts:placeMountpoint") like crashes do. Resumes and detaches
// before the caller terminates the worker (terminating a paused worker never returns).
import { Session } from "node:inspector";
import type { Worker } from "node:worker_threads";

let session: Session | undefined;
const sessions = new Map<string, string>(); // workerId → inspector sessionId

function post<T>(method: string, params?: object): Promise<T> {
  return new Promise((res, rej) => session!.post(method, params ?? {}, (e, r) => (e ? rej(e) : res(r as T))));
}

async function attach(threadId: number): Promise<string | undefined> {
  if (!session) {
    session = new Session();
    session.connect();
    session.on("NodeWorker.attachedToWorker", (m: any) => sessions.set(String(m.params.workerInfo.workerId), m.params.sessionId));
    session.on("NodeWorker.detachedFromWorker", (m: any) => { for (const [k, v] of sessions) if (v === m.params.sessionId) sessions.delete(k); });
  }
  // enable again so that workers started since the last call are reported
  await post("NodeWorker.enable", { waitForDebuggerOnStart: false });
  for (let i = 0; i < 20 && !sessions.has(String(threadId)); i++) await new Promise((r) => setTimeout(r, 10));
  return sessions.get(String(threadId));
}

/** The top frames (function@file:line, repo-relative) of a worker that is busy in synchronous code; [] if it cannot tell. */
export async function stackOf(w: Worker, timeoutMs = 300): Promise<string[]> {
  try {
    const sessionId = await attach(w.threadId);
    if (!sessionId) return [];
    const send = (id: number, method: string) => post("NodeWorker.sendMessageToWorker", { sessionId, message: JSON.stringify({ id, method }) });
    let onMsg: (m: any) => void = () => {};
    const urls = new Map<string, string>(); // scriptId → url: a paused frame of an ES module carries only the id
    const where = (f: any): string => String(f.url || urls.get(f.location.scriptId) || "?").replace(/^.*?\/(?=(?:dist\/)?(?:src|bench|assembly)\/)/, "");
    const paused = new Promise<string[]>((res) => {
      onMsg = (m: any) => {
        if (m.params.sessionId !== sessionId) return;
        const msg = JSON.parse(m.params.message);
        if (msg.method === "Debugger.scriptParsed") urls.set(msg.params.scriptId, msg.params.url);
        if (msg.method === "Debugger.paused") res(msg.params.callFrames.map((f: any) => `${f.functionName || "(anonymous)"}@${where(f)}:${f.location.lineNumber + 1}`));
      };
      session!.on("NodeWorker.receivedMessageFromWorker", onMsg);
    });
    await send(1, "Debugger.enable");
    await send(2, "Debugger.pause");
    const frames = await Promise.race([paused, new Promise<string[]>((r) => setTimeout(() => r([]), timeoutMs))]);
    session!.off("NodeWorker.receivedMessageFromWorker", onMsg);
    await send(3, "Debugger.resume");
    await post("NodeWorker.detach", { sessionId });
    sessions.delete(String(w.threadId));
    return frames;
  } catch {
    return [];
  }
}

/** A hang's class: its innermost two frames in src/ (else the innermost two at all). */
export function hangClass(frames: readonly string[]): string {
  const ours = frames.filter((f) => /(?:^|\/)src\//.test(f));
  const pick = (ours.length ? ours : frames).slice(0, 2).map((f) => f.replace(/:\d+$/, ""));
  return pick.length ? pick.join(" < ") : "unknown frame";
}
