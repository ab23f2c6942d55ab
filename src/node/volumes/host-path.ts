// The hostPath plugin's type check (pkg/volume/hostpath checkType): the `OrCreate` types make
// what is missing (a 0755 directory, an empty 0644 file whose parent must exist), the others
// require the path to be of that type, with upstream's messages.
import { closeSync, lstatSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';

export type HostPathType = '' | 'DirectoryOrCreate' | 'Directory' | 'FileOrCreate' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice';

function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    try {
      return lstatSync(path);
    } catch {
      return undefined;
    }
  }
}

/** Throws the kubelet's error when `path` is not of `type` (after making it for the OrCreate types). */
export function checkHostPathType(path: string, type: HostPathType | undefined): void {
  if (!type) return;
  let st = stat(path);
  if (type === 'DirectoryOrCreate' && !st) {
    mkdirSync(path, { recursive: true, mode: 0o755 });
    st = stat(path);
  }
  if (type === 'FileOrCreate' && !st) {
    closeSync(openSync(path, 'a', 0o644));
    st = stat(path);
  }
  const fail = (what: string) => new Error(`hostPath type check failed: ${path} is not ${what}`);
  switch (type) {
    case 'DirectoryOrCreate':
    case 'Directory':
      if (!st?.isDirectory()) throw fail('a directory');
      return;
    case 'FileOrCreate':
    case 'File':
      if (!st?.isFile()) throw fail('a file');
      return;
    case 'Socket':
      if (!st?.isSocket()) throw fail('a socket file');
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw fail('a character device');
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw fail('a block device');
      return;
    default:
      throw new Error(`hostPath type check failed: unknown type ${String(type)}`);
  }
}
