// One PID file per running container under DATA/containers, so an agent that restarts after a
// crash finds the process groups its predecessor left: it adopts those its pods still want and
// ends the rest. The process start time (from /proc) guards against adopting or killing an
// unrelated process that reused the PID.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, procStartTime } from '../../util/process-alive.js';

export interface PidRecord {
  pid: number;
  containerID: string;
  podUID: string;
  container: string;
  /** The restart count of this run (its log is `<attempt>.log`); absent in files of older versions. */
  attempt?: number;
  /** When the process started (RFC 3339), the container's state.running.startedAt. */
  startedAt?: string;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot), when /proc exists. */
  procStart?: string;
}

export class PidFiles {
  constructor(private readonly dir: string) {}

  ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  write(rec: PidRecord): void {
    this.ensureDir();
    writeFileSync(join(this.dir, `${rec.containerID}.pid`), JSON.stringify(rec) + '\n', { mode: 0o600 });
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
