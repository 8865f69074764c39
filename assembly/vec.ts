// A growable vector of u64 in the run's arena: the plan (step entries), the masks (Strs) and the
// defer stack (fds). One element type keeps one copy of the code. Nothing is freed: start() resets
// the whole arena (index.ts), so a run's vectors live exactly as long as the run.

@final export class Vec {
  ptr: usize = 0;
  length: i32 = 0;
  cap: i32 = 0;

  get(i: i32): u64 { return load<u64>(this.ptr + (<usize>i << 3)); }
  set(i: i32, v: u64): void { store<u64>(this.ptr + (<usize>i << 3), v); }

  push(v: u64): void {
    this.reserve(this.length + 1);
    this.set(this.length++, v);
  }

  pop(): u64 { return this.get(--this.length); }

  /** Appends a 0-terminated list of u8 entries (plan.ts sequences). */
  pushAll(seq: usize): void {
    for (let c = load<u8>(seq); c != 0; c = load<u8>(++seq)) this.push(c);
  }

  /** this[at, at + count) = items, shifting the tail. */
  splice(at: i32, count: i32, items: Vec): void {
    const n = items.length;
    const tail = this.length - at - count;
    this.reserve(this.length - count + n);
    memory.copy(this.ptr + (<usize>(at + n) << 3), this.ptr + (<usize>(at + count) << 3), <usize>tail << 3);
    memory.copy(this.ptr + (<usize>at << 3), items.ptr, <usize>n << 3);
    this.length += n - count;
  }

  lastIndexOf(v: u64): i32 {
    let i = this.length - 1;
    while (i >= 0 && this.get(i) != v) i--;
    return i;
  }

  private reserve(n: i32): void {
    if (n <= this.cap) return;
    const cap = max(n, max(8, this.cap << 1));
    const p = heap.alloc(<usize>cap << 3);
    memory.copy(p, this.ptr, <usize>this.length << 3);
    this.ptr = p;
    this.cap = cap;
  }
}
