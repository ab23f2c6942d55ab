// The delay before a Job re-creates pods after failures: 10 s doubling per failure since the last
// success, capped at six minutes (as the Job documentation states), counted from the last failure.

export const defaultJobPodFailureBackOffMs = 10_000;
export const maxJobPodFailureBackOffMs = 6 * 60_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

export function backoffDelayMs(failures: number): number {
  if (failures <= 0) return 0;
  // 2^(n-1) grows past the cap long before overflowing.
  return Math.min(defaultJobPodFailureBackOffMs * 2 ** Math.min(failures - 1, 30), maxJobPodFailureBackOffMs);
}

/** How long to wait before creating pods, 0 when they may be created now. */
export function remainingBackoffMs(rec: BackoffRecord | undefined, now: number): number {
  if (!rec || rec.failuresAfterLastSuccess === 0 || rec.lastFailureTime === undefined) return 0;
  return Math.max(0, rec.lastFailureTime + backoffDelayMs(rec.failuresAfterLastSuccess) - now);
}

/** The record after newly counted pods: a success resets the count, failures add to it. */
export function nextBackoffRecord(rec: BackoffRecord | undefined, newSucceeded: number, failedFinishTimes: number[]): BackoffRecord {
  const base = newSucceeded > 0 ? { failuresAfterLastSuccess: 0 } : { ...(rec ?? { failuresAfterLastSuccess: 0 }) };
  if (failedFinishTimes.length === 0) return base;
  const last = Math.max(...failedFinishTimes, base.lastFailureTime ?? 0);
  return { failuresAfterLastSuccess: base.failuresAfterLastSuccess + failedFinishTimes.length, lastFailureTime: last };
}

/** An index's own record (backoffLimitPerIndex): its failures so far and when the last one stopped. */
export function indexBackoff(f: { count: number; lastFailure?: number } | undefined): BackoffRecord | undefined {
  return f && { failuresAfterLastSuccess: f.count, lastFailureTime: f.lastFailure };
}
