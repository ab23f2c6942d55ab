// Whether a PID still names the process we think it does: pid files (containers) and lock files
// (`up`'s data dir, netns mode) all ask.
import { readFileSync } from 'node:fs';

/** Is `pid` a running process? EPERM: it is, but someone else's. A zombie (exited, not yet reaped by its new parent) is not. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Field 22 of /proc/<pid>/stat (clock ticks since boot): with the PID, it tells a reused PID apart. */
export function procStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}
