// One PID file per running container under DATA/containers, so an agent that restarts after a
// crash finds the process groups its predecessor left and ends them. The process start time
// (from /proc) guards against killing an unrelated process that reused the PID.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, procStartTime } from '../../util/process-alive.js';

export interface PidRecord {
  pid: number;
  containerID: string;
  podUID: string;
  container: string;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot), when /proc exists. */
  procStart?: string;
}

export class PidFiles {
  constructor(private readonly dir: string) {}

  write(rec: PidRecord): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, `${rec.containerID}.pid`), JSON.stringify(rec) + '\n');
  }

  remove(containerID: string): void {
    rmSync(join(this.dir, `${containerID}.pid`), { force: true });
  }

  list(): PidRecord[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: PidRecord[] = [];
    for (const n of names) {
      if (!n.endsWith('.pid')) continue;
      try {
        out.push(JSON.parse(readFileSync(join(this.dir, n), 'utf8')) as PidRecord);
      } catch {
        rmSync(join(this.dir, n), { force: true });
      }
    }
    return out;
  }

  /** Is the recorded process still the one we started? */
  static stillOurs(rec: PidRecord): boolean {
    if (!processAlive(rec.pid)) return false;
    if (rec.procStart === undefined) return true;
    const now = procStartTime(rec.pid);
    return now === undefined || now === rec.procStart;
  }
}
