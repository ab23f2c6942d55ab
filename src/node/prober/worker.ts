// One probe of one container run, as the kubelet's probe worker: waits initialDelaySeconds after
// the container started, probes every periodSeconds, and changes its result only after
// successThreshold / failureThreshold consecutive outcomes. Liveness and readiness wait for the
// startup probe; startup stops once the container has started. After a liveness or startup
// failure the worker holds (the container is about to be killed and replaced by a new run).
import type { Probe } from '../../api/core.js';
import type { ProbeOutcome, ProbeResult, ProbeType } from './types.js';

export interface ProbeWorkerOptions {
  type: ProbeType;
  probe: Probe;
  /** When the container run started (ms since epoch). */
  startedAt: number;
  run(): Promise<ProbeOutcome>;
  /** Has the container started (startup probe succeeded, or none)? */
  started(): boolean;
  /** The result crossed a threshold. */
  onResult(result: ProbeResult): void;
  /** Every failed probe, for the Unhealthy event. */
  onFailure(output: string): void;
  /** Milliseconds per "second" of the probe's settings (tests shorten it); default 1000. */
  secondMs?: number;
}

export class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastResult: ProbeResult | undefined;
  private resultRun = 0;
  private onHold = false;
  /** The result as the kubelet's results manager holds it. */
  result: ProbeResult | 'unknown';

  constructor(private readonly o: ProbeWorkerOptions) {
    // Upstream's initial values: not ready until proven, alive until proven otherwise.
    this.result = o.type === 'readiness' ? 'failure' : o.type === 'liveness' ? 'success' : 'unknown';
  }

  private get sec(): number {
    return this.o.secondMs ?? 1000;
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    const period = Math.max(1, this.o.probe.periodSeconds ?? 10) * this.sec;
    if (!this.stopped && this.shouldProbe()) {
      const outcome = await this.o.run().catch((e: Error): ProbeOutcome => ({ result: 'failure', output: e.message }));
      if (this.stopped) return;
      this.record(outcome);
    }
    this.schedule(period);
  }

  private shouldProbe(): boolean {
    if (this.onHold) return false;
    const delay = (this.o.probe.initialDelaySeconds ?? 0) * this.sec;
    if (Date.now() - this.o.startedAt < delay) return false;
    if (this.o.started()) return this.o.type !== 'startup';
    return this.o.type === 'startup';
  }

  private record(outcome: ProbeOutcome): void {
    if (outcome.result === 'failure') this.o.onFailure(outcome.output);
    if (this.lastResult === outcome.result) this.resultRun++;
    else {
      this.lastResult = outcome.result;
      this.resultRun = 1;
    }
    const failureThreshold = Math.max(1, this.o.probe.failureThreshold ?? 3);
    const successThreshold = Math.max(1, this.o.probe.successThreshold ?? 1);
    if (outcome.result === 'failure' && this.resultRun < failureThreshold) return;
    if (outcome.result === 'success' && this.resultRun < successThreshold) return;
    const changed = this.result !== outcome.result;
    this.result = outcome.result;
    if ((this.o.type === 'liveness' || this.o.type === 'startup') && outcome.result === 'failure') {
      this.onHold = true;
      this.resultRun = 0;
      this.o.onResult(outcome.result);
      return;
    }
    if (changed) this.o.onResult(outcome.result);
  }
}
