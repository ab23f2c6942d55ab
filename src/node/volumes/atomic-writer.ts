// The kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go): a volume's files are written
// into a fresh timestamped directory `..<time>.<random>`, the `..data` symlink is swapped to it
// with one rename (atomic: a reader sees the old set of files or the new one, never a mix), and
// each top-level user-visible path is a symlink through `..data`. Paths that left the payload are
// removed, then the previous timestamped directory. An unchanged payload writes nothing.
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Permission bits (e.g. 0o644). */
  mode: number;
}

export type Payload = Map<string, FileProjection>;

const dataDirName = '..data';
const newDataDirName = '..data_tmp';
const maxPathLength = 4096;
const maxFileNameLength = 255;

/** Upstream's validatePath: relative, no `..` element, not starting with `..`, bounded lengths. */
export function validatePayloadPath(p: string): string | undefined {
  if (p.length > maxPathLength) return `invalid path: must be less than or equal to ${maxPathLength} characters`;
  if (p.startsWith('/')) return 'invalid path: must be relative path';
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') return "invalid path: must not contain '..'";
    if (item.length > maxFileNameLength) return `invalid path: filenames must be less than or equal to ${maxFileNameLength} characters`;
  }
  if (items[0]!.startsWith('..') && items[0]!.length > 2) return "invalid path: must not start with '..'";
  return undefined;
}

/** A Go-style timestamp prefix, as upstream names the directories (2006_01_02_15_04_05.). */
function tsPrefix(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The files under a timestamped directory, relative, with their content and mode. */
function readTree(root: string, rel = '', out: Payload = new Map()): Payload {
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) readTree(root, r, out);
    else out.set(r, { data: readFileSync(join(root, r)), mode: statSync(join(root, r)).mode & 0o7777 });
  }
  return out;
}

function samePayload(a: Payload, b: Payload): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const o = b.get(k);
    if (!o || o.mode !== v.mode || !o.data.equals(v.data)) return false;
  }
  return true;
}

function topLevel(p: string): string {
  return p.split('/')[0]!;
}

export class AtomicWriter {
  constructor(readonly targetDir: string) {}

  /** The timestamped directory `..data` points at, if any. */
  current(): string | undefined {
    try {
      return readlinkSync(join(this.targetDir, dataDirName));
    } catch {
      return undefined;
    }
  }

  /** Makes the volume's files exactly `payload`. True when anything changed. */
  write(payload: Payload): boolean {
    for (const p of payload.keys()) {
      const err = validatePayloadPath(p);
      if (err) throw new Error(err);
    }
    mkdirSync(this.targetDir, { recursive: true, mode: 0o755 });
    const old = this.current();
    const oldPayload = old ? readTree(join(this.targetDir, old)) : new Map<string, FileProjection>();
    const visible = new Set([...payload.keys()].map(topLevel));
    if (old && samePayload(oldPayload, payload) && [...visible].every((v) => exists(join(this.targetDir, v)))) return false;

    const tsDir = mkdtempSync(join(this.targetDir, tsPrefix()));
    chmodSync(tsDir, 0o755);
    for (const [p, f] of payload) {
      const full = join(tsDir, p);
      mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
      writeFileSync(full, f.data, { mode: f.mode });
      chmodSync(full, f.mode);
    }
    const tsName = tsDir.slice(this.targetDir.length + 1);
    // The swap: a new symlink renamed over `..data` in one step.
    const tmp = join(this.targetDir, newDataDirName);
    rmSync(tmp, { force: true });
    symlinkSync(tsName, tmp);
    renameSync(tmp, join(this.targetDir, dataDirName));
    for (const v of visible) {
      const link = join(this.targetDir, v);
      if (!exists(link)) symlinkSync(join(dataDirName, v), link);
    }
    for (const p of oldPayload.keys()) {
      const v = topLevel(p);
      if (!visible.has(v)) rmSync(join(this.targetDir, v), { force: true, recursive: true });
    }
    if (old && old !== tsName) rmSync(join(this.targetDir, old), { recursive: true, force: true });
    return true;
  }
}
