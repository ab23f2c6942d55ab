// Completion indexes of Indexed Jobs: the index a pod carries (annotation, else label) and the
// compressed interval form status.completedIndexes uses ("1,3-5,7").
import { JobLabels } from '../../api/batch.js';
import type { Pod } from '../../api/core.js';

/** The pod's completion index, or undefined when it has none or it is not a valid one below `completions`. */
export function getCompletionIndex(pod: Pod, completions: number): number | undefined {
  const raw = pod.metadata.annotations?.[JobLabels.completionIndex] ?? pod.metadata.labels?.[JobLabels.completionIndex];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const i = Number(raw);
  return i < completions ? i : undefined;
}

/** Parses "1,3-5" into {1,3,4,5}, keeping only indexes below `completions`; malformed parts are skipped. */
export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let i = lo; i <= hi && i < completions; i++) out.add(i);
  }
  return out;
}

/** Formats a set of indexes as ordered intervals: {0,1,2,4} → "0-2,4". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
