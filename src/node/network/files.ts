// /etc/netns/<pod-ns>/resolv.conf is a file, not a command: it goes through its own small
// injectable interface so unit tests need neither root nor a real /etc.
import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface NetFiles {
  /** Writes path, creating its directory. */
  write(path: string, data: string): Promise<void>;
  /** Removes a directory tree; absent is fine. */
  removeDir(path: string): Promise<void>;
  /** Entry names of a directory; [] when it does not exist. */
  list(dir: string): Promise<string[]>;
  /** Removes dir if it exists and is empty; true when it did. */
  removeEmptyDir(dir: string): Promise<boolean>;
}

export const defaultFiles: NetFiles = {
  async write(path, data) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data, { mode: 0o644 });
  },
  async removeDir(path) {
    await rm(path, { recursive: true, force: true });
  },
  async list(dir) {
    try {
      return await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  },
  async removeEmptyDir(dir) {
    try {
      await rmdir(dir);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') return false;
      throw e;
    }
  },
};
