// Applies one layer (an uncompressed tar stream) onto a root filesystem being built, as the OCI
// image spec's changeset rules and containerd's archive.Apply do it:
// - `.wh.<name>` removes <name> from the layers below; `.wh..wh..opq` empties its directory of
//   what the layers below put there (entries of this same layer stay);
// - every parent directory and hard-link target is resolved inside the rootfs (root-path.ts), and
//   an existing entry in the way is removed first, so nothing is ever written through a symlink
//   or outside the rootfs, whatever names, ".." or link targets the tar carries;
// - modes (setuid/setgid/sticky included) and mtimes as recorded; ownership only when we are root
//   (we could not chown otherwise); device nodes only as root, skipped otherwise (as rootless
//   runtimes do); directories' modes and mtimes are set once the layer is done, since writing
//   their entries would change them.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, readdir, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { extract, type Header } from 'tar-stream';
import { cleanComponents, rootPath } from './root-path.js';

const run = promisify(execFile);

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_WHITEOUT = '.wh..wh..opq';
/** Other `.wh..wh.` names are aufs bookkeeping (hard-link dirs), not changes to apply. */
const AUFS_META_PREFIX = '.wh..wh.';

export interface ApplyOptions {
  /** Set ownership and create device nodes; defaults to whether this process runs as root. */
  privileged?: boolean;
}

interface DirMeta {
  path: string;
  mode: number;
  mtime: Date;
}

export class LayerApplyError extends Error {}

export async function applyLayer(root: string, tar: Readable, opts: ApplyOptions = {}): Promise<void> {
  const privileged = opts.privileged ?? process.getuid?.() === 0;
  const ex = extract();
  const source = pipeline(tar, ex);
  // This layer's own entries: an opaque whiteout must leave them alone.
  const unpacked = new Set<string>();
  const dirs: DirMeta[] = [];
  try {
    for await (const entry of ex) {
      const h = entry.header;
      try {
        await applyEntry(root, h, entry, { privileged, unpacked, dirs });
      } finally {
        entry.resume();
      }
    }
    await source;
  } catch (err) {
    tar.destroy();
    await source.catch(() => {});
    throw err;
  }
  // Deepest first, so setting a parent's mtime comes after its children are done.
  for (const d of dirs.reverse()) {
    await chmod(d.path, privileged ? d.mode : d.mode | 0o700);
    await utimes(d.path, d.mtime, d.mtime);
  }
}

interface EntryState {
  privileged: boolean;
  unpacked: Set<string>;
  dirs: DirMeta[];
}

type EntryBody = AsyncIterable<unknown>;

async function applyEntry(root: string, h: Header, body: EntryBody, st: EntryState): Promise<void> {
  const parts = cleanComponents(h.name);
  if (parts.length === 0) {
    // The archive's "./": the rootfs directory's own metadata.
    if (h.type === 'directory') st.dirs.unshift({ path: root, mode: h.mode & 0o7777, mtime: h.mtime });
    return;
  }
  const base = parts[parts.length - 1]!;
  const parent = await rootPath(root, parts.slice(0, -1).join('/'));

  if (base.startsWith(WHITEOUT_PREFIX)) {
    if (base === OPAQUE_WHITEOUT) await opaque(parent, st.unpacked);
    else if (!base.startsWith(AUFS_META_PREFIX)) {
      const victim = base.slice(WHITEOUT_PREFIX.length);
      // ".wh..." would name the parent's parent: outside the rootfs when the parent is its root.
      if (victim === '' || victim === '.' || victim === '..') throw new LayerApplyError(`invalid whiteout ${h.name}`);
      await rm(join(parent, victim), { recursive: true, force: true });
    }
    return;
  }

  await mkdir(parent, { recursive: true });
  const target = join(parent, base);
  const existing = await lstat(target).catch(() => undefined);
  const keepDir = !!existing && existing.isDirectory() && h.type === 'directory';
  if (existing && !keepDir) await rm(target, { recursive: true, force: true });

  const mode = h.mode & 0o7777;
  switch (h.type) {
    case 'file':
    case 'contiguous-file':
      await writeNew(target, body);
      break;
    case 'directory':
      if (!keepDir) await mkdir(target, { mode: 0o700 });
      st.dirs.push({ path: target, mode, mtime: h.mtime });
      break;
    case 'symlink':
      // The target is data for the container to interpret; it is never followed here.
      await symlink(h.linkname, target);
      break;
    case 'link':
      await link(await linkSource(root, h.linkname, h.name), target);
      break;
    case 'fifo':
      await run('mkfifo', ['-m', mode.toString(8), target]);
      break;
    case 'character-device':
    case 'block-device':
      if (!st.privileged) return;
      await run('mknod', ['-m', mode.toString(8), target, h.type === 'block-device' ? 'b' : 'c', String(h.devmajor), String(h.devminor)]);
      break;
    default:
      return;
  }
  st.unpacked.add(target);
  if (h.type === 'link') return; // shares the inode (and metadata) of its source
  if (st.privileged) await lchown(target, h.uid, h.gid);
  if (h.type === 'symlink') {
    await lutimes(target, h.mtime, h.mtime);
    return;
  }
  if (h.type !== 'directory') {
    // After chown, which clears setuid/setgid bits.
    await chmod(target, mode);
    await utimes(target, h.mtime, h.mtime);
  }
}

/** Creates `target` afresh (never through a symlink left in its place) and fills it from the entry. */
async function writeNew(target: string, body: EntryBody): Promise<void> {
  const fh = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    for await (const chunk of body) await fh.write(chunk as Buffer);
  } finally {
    await fh.close();
  }
}

async function linkSource(root: string, linkname: string, name: string): Promise<string> {
  const parts = cleanComponents(linkname);
  if (parts.length === 0) throw new LayerApplyError(`hard link ${name} to the root directory`);
  // The link's own final component is not resolved: a hard link to a symlink links the symlink.
  const src = join(await rootPath(root, parts.slice(0, -1).join('/')), parts[parts.length - 1]!);
  const s = await lstat(src).catch(() => undefined);
  if (!s) throw new LayerApplyError(`hard link ${name} to ${linkname}, which does not exist`);
  if (s.isDirectory()) throw new LayerApplyError(`hard link ${name} to directory ${linkname}`);
  return src;
}

async function opaque(dir: string, unpacked: Set<string>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = join(dir, e.name);
    if (!unpacked.has(p)) await rm(p, { recursive: true, force: true });
    // A directory this layer re-declared keeps only what this layer put in it.
    else if (e.isDirectory()) await opaque(p, unpacked);
  }
}
