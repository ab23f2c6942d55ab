// Probe outcomes as the kubelet's prober reports them: a result plus the text that goes into the
// Unhealthy event ("Liveness probe failed: <output>").
export type ProbeResult = 'success' | 'failure';

export interface ProbeOutcome {
  result: ProbeResult;
  output: string;
}

export type ProbeType = 'liveness' | 'readiness' | 'startup';

/** "Liveness", as events and messages spell the probe type. */
export function probeTypeTitle(t: ProbeType): string {
  return t[0]!.toUpperCase() + t.slice(1);
}
