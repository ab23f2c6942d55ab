// What both runtimes do with the containers a killed agent left running: find a pod's one among
// the records, follow its output files from where the log stopped, and notice when it is gone
// (it is not the new agent's child, so no 'exit' event comes).
import { FileTail } from './file-tail.js';
import { PidFiles, type PidRecord } from './pidfiles.js';
import type { LeftoverContainer, OutputOffsets } from './types.js';

/** The running leftover of a pod's container among `records`, as ContainerRuntime.leftover answers. */
export function findLeftover(records: Iterable<PidRecord & { initPid?: number }>, podUID: string, container: string): LeftoverContainer | undefined {
  for (const rec of records) {
    if (rec.podUID !== podUID || rec.container !== container || !PidFiles.stillOurs(rec)) continue;
    return { id: rec.containerID, pid: rec.initPid ?? rec.pid, attempt: rec.attempt ?? 0, startedAt: new Date(rec.startedAt ?? Date.now()) };
  }
  return undefined;
}

/**
 * Takes leftover `id` out of `leftovers` for adoption, with tails of its output from `offsets`;
 * undefined (and left alone) when it has exited meanwhile or its output files are gone.
 */
export function takeLeftover<R extends PidRecord>(
  leftovers: Map<string, R>,
  id: string,
  path: (stream: 'stdout' | 'stderr') => string,
  offsets: OutputOffsets,
): { rec: R; stdout: FileTail; stderr: FileTail } | undefined {
  const rec = leftovers.get(id);
  if (!rec || !PidFiles.stillOurs(rec)) return undefined;
  const output = tailOutput(path, offsets);
  if (!output) return undefined;
  leftovers.delete(id);
  return { rec, ...output };
}

/** Tails of a container's output files from `offsets`; undefined when the files are gone. */
function tailOutput(path: (stream: 'stdout' | 'stderr') => string, offsets: OutputOffsets): { stdout: FileTail; stderr: FileTail } | undefined {
  try {
    return { stdout: new FileTail(path('stdout'), offsets.stdout), stderr: new FileTail(path('stderr'), offsets.stderr) };
  } catch {
    return undefined;
  }
}

/** Resolves once the recorded process has ended (polled, with its start time, as PIDs are reused). */
export function whenGone(rec: PidRecord, pollMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (PidFiles.stillOurs(rec)) return;
      clearInterval(timer);
      resolve();
    }, pollMs);
  });
}
