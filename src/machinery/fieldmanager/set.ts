// A set of field paths, stored as upstream's fieldpath.Set: the elements that are members at
// this level, and child sets for elements with members below them. An element can be both (an
// associative-list item that is owned as a whole and whose fields are owned too: FieldsV1's ".").
import { compareElements, token, type Path, type PathElement } from './path.js';

interface Child {
  pe: PathElement;
  set: FieldSet;
}

export class FieldSet {
  /** Member elements by token. */
  readonly members = new Map<string, PathElement>();
  /** Child sets by token. */
  readonly children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    let cur: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) cur = cur.child(path[i]!);
    const last = path[path.length - 1]!;
    cur.members.set(token(last), last);
  }

  /** The child set for `pe`, created if absent. */
  child(pe: PathElement): FieldSet {
    const t = token(pe);
    let c = this.children.get(t);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(t, c);
    }
    return c.set;
  }

  has(path: Path): boolean {
    let cur: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1; i++) {
      cur = cur.children.get(token(path[i]!))?.set;
      if (!cur) return false;
    }
    return path.length > 0 && cur.members.has(token(path[path.length - 1]!));
  }

  /** The child set under `pe`, if any. */
  get(pe: PathElement): FieldSet | undefined {
    return this.children.get(token(pe))?.set;
  }

  empty(): boolean {
    if (this.members.size) return false;
    for (const c of this.children.values()) if (!c.set.empty()) return false;
    return true;
  }

  union(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [t, pe] of this.members) out.members.set(t, pe);
    for (const [t, pe] of o.members) out.members.set(t, pe);
    for (const [t, c] of this.children) out.children.set(t, { pe: c.pe, set: c.set.union(o.children.get(t)?.set ?? empty) });
    for (const [t, c] of o.children) if (!this.children.has(t)) out.children.set(t, { pe: c.pe, set: c.set.union(empty) });
    return out;
  }

  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [t, pe] of this.members) if (!o.members.has(t)) out.members.set(t, pe);
    for (const [t, c] of this.children) {
      const other = o.children.get(t);
      const d = other ? c.set.difference(other.set) : c.set.union(empty);
      if (!d.empty()) out.children.set(t, { pe: c.pe, set: d });
    }
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [t, pe] of this.members) if (o.members.has(t)) out.members.set(t, pe);
    for (const [t, c] of this.children) {
      const other = o.children.get(t);
      if (!other) continue;
      const i = c.set.intersection(other.set);
      if (!i.empty()) out.children.set(t, { pe: c.pe, set: i });
    }
    return out;
  }

  equals(o: FieldSet): boolean {
    return this.difference(o).empty() && o.difference(this).empty();
  }

  /** Every member path in upstream's Iterate order: this level's members, then each child's. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    const sorted = (m: Iterable<PathElement>) => [...m].sort(compareElements);
    for (const pe of sorted(this.members.values())) out.push([...prefix, pe]);
    for (const c of [...this.children.values()].sort((a, b) => compareElements(a.pe, b.pe))) out.push(...c.set.paths([...prefix, c.pe]));
    return out;
  }

  /** Without every path that is, or lies under, a member of `o` (upstream's RecursiveDifference). */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [t, pe] of this.members) if (!o.members.has(t)) out.members.set(t, pe);
    for (const [t, c] of this.children) {
      if (o.members.has(t)) continue;
      const other = o.children.get(t);
      const d = other ? c.set.recursiveDifference(other.set) : c.set.union(empty);
      if (!d.empty()) out.children.set(t, { pe: c.pe, set: d });
    }
    return out;
  }

  /** Members and children merged in element order, each element once. */
  sortedEntries(): Array<{ pe: PathElement; member: boolean; child?: FieldSet }> {
    const byToken = new Map<string, { pe: PathElement; member: boolean; child?: FieldSet }>();
    for (const [t, pe] of this.members) byToken.set(t, { pe, member: true });
    for (const [t, c] of this.children) {
      if (c.set.empty()) continue;
      const e = byToken.get(t);
      if (e) e.child = c.set;
      else byToken.set(t, { pe: c.pe, member: false, child: c.set });
    }
    return [...byToken.values()].sort((a, b) => compareElements(a.pe, b.pe));
  }
}

const empty = new FieldSet();
