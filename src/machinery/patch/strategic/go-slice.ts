// A Go slice header over a shared backing array. Upstream's merge code appends to and deletes
// from the live list in place, and then reads the caller's (unchanged-length) view of the same
// backing array to decide list order; emulating that sharing keeps our list order identical.

/** Capacity of a list decoded by appending one element at a time (Go doubles small slices). */
function decodedCap(n: number): number {
  let c = n > 0 ? 1 : 0;
  while (c < n) c *= 2;
  return c;
}

export class GoSlice {
  private constructor(
    /** The backing array; its length is the slice's capacity. */
    readonly buf: unknown[],
    readonly len: number,
  ) {}

  /** A list as the apiserver holds it after decoding: spare capacity up to the next power of two. */
  static decoded(items: readonly unknown[]): GoSlice {
    const buf: unknown[] = new Array(decodedCap(items.length));
    items.forEach((v, i) => (buf[i] = v));
    return new GoSlice(buf, items.length);
  }

  items(): unknown[] {
    return this.buf.slice(0, this.len);
  }

  at(i: number): unknown {
    return this.buf[i];
  }

  set(i: number, v: unknown): void {
    this.buf[i] = v;
  }

  /** append(s, v): writes into the shared array while capacity lasts, else copies to a new one. */
  append(v: unknown): GoSlice {
    if (this.len < this.buf.length) {
      this.buf[this.len] = v;
      return new GoSlice(this.buf, this.len + 1);
    }
    const buf: unknown[] = new Array(Math.max(1, this.buf.length * 2));
    for (let i = 0; i < this.len; i++) buf[i] = this.buf[i];
    buf[this.len] = v;
    return new GoSlice(buf, this.len + 1);
  }

  /** append(s[:k], s[k+1:]...): shifts the tail left in the shared array. */
  removeAt(k: number): GoSlice {
    for (let i = k; i < this.len - 1; i++) this.buf[i] = this.buf[i + 1];
    return new GoSlice(this.buf, this.len - 1);
  }
}
