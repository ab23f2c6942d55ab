// Where a regular expression matches, as Go's regexp.FindString and FindAllString report it, for
// Kubernetes' CEL regex library (`'abc'.find('b.')`, `.findAll(re)`, `.findAll(re, n)`).
//
// @bufbuild/re2 parses and compiles patterns exactly as Go's RE2 does but its engines only answer
// whether a match exists. Rather than translate RE2 syntax into a JavaScript RegExp (a
// backtracking engine: `(a+)+$` would hang the server, and classes, case folding and `\b` read
// differently), the positions come from a Pike VM run over the very program that package compiled,
// as Go's own regexp does when it needs submatches: threads advance in lock step one code point at
// a time, each program counter at most once per position, so the time is linear in the input
// (O(input × program)) whatever the pattern, and a leftmost-first match is the highest-priority
// thread that reaches MATCH, which is Go's (Perl-like, non-POSIX) choice.
import type { RE2JS } from '@bufbuild/re2';
import { compileRegex } from './regex.js';

// Instruction opcodes and zero-width flags of the compiled program (the package's Inst and Utils,
// which its entry point does not export; the numbers are RE2's own, as in Go's regexp/syntax).
const ALT = 1;
const ALT_MATCH = 2;
const CAPTURE = 3;
const EMPTY_WIDTH = 4;
const MATCH = 6;
const NOP = 7;
const RUNE = 8;
const RUNE_ANY_NOT_NL = 11;
const BEGIN_LINE = 0x01;
const END_LINE = 0x02;
const BEGIN_TEXT = 0x04;
const END_TEXT = 0x08;
const WORD_BOUNDARY = 0x10;
const NO_WORD_BOUNDARY = 0x20;

interface Inst {
  op: number;
  out: number;
  arg: number;
  matchRune(r: number): boolean;
}
interface Prog {
  inst: Inst[];
  start: number;
}

const isWord = (r: number) => (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a) || (r >= 0x30 && r <= 0x39) || r === 0x5f;

/** The zero-width assertions that hold between runes r1 and r2 (-1: start or end of text). */
function emptyContext(r1: number, r2: number): number {
  let op = 0;
  if (r1 < 0) op |= BEGIN_TEXT | BEGIN_LINE;
  if (r1 === 0x0a) op |= BEGIN_LINE;
  if (r2 < 0) op |= END_TEXT | END_LINE;
  if (r2 === 0x0a) op |= END_LINE;
  op |= isWord(r1) !== isWord(r2) ? WORD_BOUNDARY : NO_WORD_BOUNDARY;
  return op;
}

/** The code point at UTF-16 index i, or -1 at the end. */
const runeAt = (s: string, i: number) => (i < s.length ? s.codePointAt(i)! : -1);
const runeBefore = (s: string, i: number) => {
  if (i <= 0) return -1;
  const lo = s.charCodeAt(i - 1);
  return i >= 2 && lo >= 0xdc00 && lo <= 0xdfff ? s.codePointAt(i - 2)! : lo;
};
const width = (r: number) => (r > 0xffff ? 2 : 1);

interface Thread {
  pc: number;
  start: number;
}

class ThreadList {
  readonly threads: Thread[] = [];
  private readonly seen = new Set<number>();

  constructor(private readonly prog: Prog) {}

  /** Follows empty transitions from pc, in priority order (ALT: out before arg), at a position whose assertions are ctx. */
  add(pc: number, start: number, ctx: number): void {
    if (this.seen.has(pc)) return;
    this.seen.add(pc);
    const inst = this.prog.inst[pc]!;
    switch (inst.op) {
      case ALT:
      case ALT_MATCH:
        this.add(inst.out, start, ctx);
        this.add(inst.arg, start, ctx);
        return;
      case CAPTURE:
      case NOP:
        this.add(inst.out, start, ctx);
        return;
      case EMPTY_WIDTH:
        if ((inst.arg & ~ctx) === 0) this.add(inst.out, start, ctx);
        return;
      case MATCH:
        this.threads.push({ pc, start });
        return;
      default:
        if (inst.op >= RUNE && inst.op <= RUNE_ANY_NOT_NL) this.threads.push({ pc, start });
    }
  }
}

/** The leftmost-first match starting at or after UTF-16 index `pos`: [start, end), or undefined. */
function matchFrom(re: RE2JS, s: string, pos: number): [number, number] | undefined {
  const prog = re.re2Input.prog as unknown as Prog;
  let matched: [number, number] | undefined;
  let current = new ThreadList(prog);
  let prev = runeBefore(s, pos);
  for (let i = pos; ; ) {
    const r = runeAt(s, i);
    // A new thread starts at every position until something matched; it has the lowest priority.
    if (!matched) current.add(prog.start, i, emptyContext(prev, r));
    // Nothing left running after a match: no later thread could outrank it.
    if (matched && current.threads.length === 0) break;
    const next = new ThreadList(prog);
    const after = r < 0 ? -1 : runeAt(s, i + width(r));
    for (const t of current.threads) {
      const inst = prog.inst[t.pc]!;
      if (inst.op === MATCH) {
        // Leftmost-first: this thread outranks every one after it in the list, which are dropped.
        matched = [t.start, i];
        break;
      }
      if (r >= 0 && inst.matchRune(r)) next.add(inst.out, t.start, emptyContext(r, after));
    }
    if (r < 0) break;
    prev = r;
    i += width(r);
    current = next;
  }
  return matched;
}

function compiled(pattern: string): RE2JS {
  const re = compileRegex(pattern);
  if (re instanceof Error) throw re;
  return re;
}

/** regexp.FindString: the text of the leftmost match, '' if none. Throws a bad pattern's error. */
export function regexFind(pattern: string, s: string): string {
  const m = matchFrom(compiled(pattern), s, 0);
  return m ? s.slice(m[0], m[1]) : '';
}

/**
 * regexp.FindAllString(s, n): successive non-overlapping matches, at most n of them (all when n is
 * negative). As Go, an empty match right after the previous match is skipped and the search then
 * moves one code point on.
 */
export function regexFindAll(pattern: string, s: string, n = -1): string[] {
  const re = compiled(pattern);
  const limit = n < 0 ? s.length + 1 : n;
  const out: string[] = [];
  let prevEnd = -1;
  for (let pos = 0; out.length < limit && pos <= s.length; ) {
    const m = matchFrom(re, s, pos);
    if (!m) break;
    let accept = true;
    if (m[1] === pos) {
      if (m[0] === prevEnd) accept = false;
      pos += pos < s.length ? width(runeAt(s, pos)) : 1;
    } else {
      pos = m[1];
    }
    prevEnd = m[1];
    if (accept) out.push(s.slice(m[0], m[1]));
  }
  return out;
}
