// Paths inside an image's root filesystem resolved as if it were "/" (filepath-securejoin's
// SecureJoin, containerd's fs.RootPath): ".." stops at the root, and a symlink met on the way is
// followed inside the root — an absolute target starts again from the root, never from the host's
// "/". Unpacking uses it for every parent directory and hard-link target, so a hostile layer
// cannot write or link outside the rootfs.
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Linux's own limit on symlinks followed in one lookup. */
const MAX_SYMLINKS = 40;

export class RootPathError extends Error {}

/** Splits a tar entry name or link target into clean components ("a/./b//c" → a, b, c). */
export function components(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/** Lexical cleaning with ".." stopped at the root: "../../etc/x" → ["etc", "x"]. */
export function cleanComponents(p: string): string[] {
  const out: string[] = [];
  for (const c of components(p)) {
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out;
}

/** The host path of `unsafe` under `root`, every existing symlink along it resolved inside `root`. */
export async function rootPath(root: string, unsafe: string): Promise<string> {
  const pending = components(unsafe);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, part);
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new RootPathError(`too many levels of symbolic links in ${unsafe}`);
    const target = await readlink(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...components(target));
  }
  return join(root, ...resolved);
}
