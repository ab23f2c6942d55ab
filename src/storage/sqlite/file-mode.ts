// The database holds every Secret-like object of the cluster: only its owner may read it. SQLite
// creates a new file with 0644 (less the umask), and gives its -wal and -shm files the mode of the
// database file, so the database is created 0600 before SQLite opens it, and files an older
// kubesvc left 0644 are tightened.
import { chmodSync, closeSync, constants, existsSync, openSync } from 'node:fs';

export const dataFileMode = 0o600;

/** Creates `file` (and tightens it and its -wal/-shm/-journal siblings) with mode 0600. */
export function ensurePrivateDatabaseFile(file: string): void {
  // O_EXCL: never follow a symlink someone planted where the database will be.
  if (!existsSync(file)) {
    try {
      closeSync(openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, dataFileMode));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      chmodSync(f, dataFileMode);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}
