// client-go's leaderelection with a coordination.k8s.io/v1 Lease as the lock: candidates try to
// acquire the Lease every retry period (with jitter); the holder renews it every retry period and
// gives up leading when it could not renew within the renew deadline. A Lease held by someone
// else counts as expired only after leaseDurationSeconds have passed since *we* last saw it
// change, so clocks of different machines never need to agree. Writes carry the resourceVersion
// read, so of two candidates racing for an expired Lease exactly one wins.
// Upstream exits when it loses the lease; here the callbacks stop the work and the elector goes
// back to standby, so a process keeps serving and can lead again later.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { microTime, type KubeObject } from '../api/meta.js';
import type { Lease, LeaseSpec } from '../api/validation/lease.js';
import { isNotFound } from '../machinery/status.js';
import { errorText, logger } from '../util/log.js';
import type { Client } from './client.js';
import { R } from './resources.js';

const log = logger('leaderelection');

/** wait.JitterUntil's factor client-go uses while acquiring. */
export const jitterFactor = 1.2;

export interface LeaderElectionTimings {
  /** --leader-elect-lease-duration (default 15 s). */
  leaseDurationMs: number;
  /** --leader-elect-renew-deadline (default 10 s). */
  renewDeadlineMs: number;
  /** --leader-elect-retry-period (default 2 s). */
  retryPeriodMs: number;
}

export const defaultLeaderElectionTimings: LeaderElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface LeaderElectionConfig extends LeaderElectionTimings {
  client: Client;
  /** The Lease: kube-system/kube-controller-manager, kube-system/kube-scheduler, ... */
  namespace: string;
  name: string;
  /** Who we are in holderIdentity; default `<hostname>_<uuid>` as kube-controller-manager. */
  identity?: string;
  /** Hand the Lease back when stopped, so a successor need not wait for it to expire (kube-scheduler's ReleaseOnCancel). */
  releaseOnCancel?: boolean;
  /** Records the `LeaderElection` events about the Lease. */
  recorder?: { event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void };
  onStartedLeading(): void;
  onStoppedLeading(): void;
  onNewLeader?(identity: string): void;
  now?: () => number;
}

/** NewLeaderElector's checks, with its messages. */
export function validateLeaderElectionTimings(t: LeaderElectionTimings): string | undefined {
  if (t.leaseDurationMs <= t.renewDeadlineMs) return 'leaseDuration must be greater than renewDeadline';
  if (t.renewDeadlineMs <= jitterFactor * t.retryPeriodMs) return 'renewDeadline must be greater than retryPeriod*JitterFactor';
  if (t.leaseDurationMs < 1) return 'leaseDuration must be greater than zero';
  if (t.renewDeadlineMs < 1) return 'renewDeadline must be greater than zero';
  if (t.retryPeriodMs < 1) return 'retryPeriod must be greater than zero';
  return undefined;
}

/** kube-controller-manager's and kube-scheduler's identity: the host name and a fresh UUID. */
export function defaultLeaderIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

export class LeaderElector {
  readonly identity: string;
  private readonly now: () => number;
  private observed: LeaseSpec | undefined;
  private observedRaw = '';
  private observedTime = 0;
  private lease: Lease | undefined;
  private leading = false;
  private stopped = false;
  private reportedLeader = '';
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly config: LeaderElectionConfig) {
    const invalid = validateLeaderElectionTimings(config);
    if (invalid) throw new RangeError(invalid);
    this.identity = config.identity ?? defaultLeaderIdentity();
    this.now = config.now ?? Date.now;
  }

  private get description(): string {
    return `${this.config.namespace}/${this.config.name}`;
  }

  isLeader(): boolean {
    return this.observed?.holderIdentity === this.identity;
  }

  /** The holder we last saw, '' if none. */
  getLeader(): string {
    return this.observed?.holderIdentity ?? '';
  }

  /** Campaigns until stop(): acquire, lead while renewals succeed, then back to standby. */
  run(): void {
    this.loop ??= this.campaign();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    if (this.leading) {
      this.leading = false;
      this.config.onStoppedLeading();
      if (this.config.releaseOnCancel) await this.release();
    }
  }

  private async campaign(): Promise<void> {
    while (!this.stopped) {
      log.info(`attempting to acquire leader lease ${this.description}...`);
      if (!(await this.acquire())) return;
      this.leading = true;
      this.config.onStartedLeading();
      await this.renew();
      if (this.stopped) return;
      this.leading = false;
      this.config.onStoppedLeading();
    }
  }

  /** Until acquired (true) or stopped (false), every retry period with jitter. */
  private async acquire(): Promise<boolean> {
    while (!this.stopped) {
      const ok = await this.tryAcquireOrRenew();
      this.reportTransition();
      if (ok) {
        this.recordEvent('became leader');
        log.info(`successfully acquired lease ${this.description}`);
        return true;
      }
      await this.sleep(this.config.retryPeriodMs * (1 + Math.random() * jitterFactor));
    }
    return false;
  }

  /** While leading: renew every retry period; a renewal that keeps failing past the renew deadline ends it. */
  private async renew(): Promise<void> {
    while (!this.stopped) {
      const deadline = this.now() + this.config.renewDeadlineMs;
      let ok = await this.tryAcquireOrRenew();
      // Someone else holds it now (we were too slow, or it was taken by hand): stop at once
      // rather than act beside the new leader until the deadline.
      while (!ok && !this.stopped && !this.lostToOther() && this.now() + this.config.retryPeriodMs < deadline) {
        await this.sleep(this.config.retryPeriodMs);
        if (this.stopped) return;
        ok = await this.tryAcquireOrRenew();
      }
      this.reportTransition();
      if (this.stopped) return;
      if (!ok) {
        this.recordEvent('stopped leading');
        log.info(`failed to renew lease ${this.description}: timed out waiting for the condition`);
        return;
      }
      await this.sleep(this.config.retryPeriodMs);
    }
  }

  private lostToOther(): boolean {
    const holder = this.getLeader();
    return holder !== '' && holder !== this.identity;
  }

  /** One attempt to take or keep the Lease; false when someone else holds it or the write failed. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const leaseDurationSeconds = Math.max(1, Math.ceil(this.config.leaseDurationMs / 1000));
    const desired: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds,
      acquireTime: microTime(new Date(now)),
      renewTime: microTime(new Date(now)),
      leaseTransitions: 0,
    };
    const { client, namespace, name } = this.config;
    let current: Lease;
    try {
      current = await client.get<Lease>(R.leases, namespace, name);
    } catch (e) {
      if (!isNotFound(e)) {
        log.warn(`error retrieving resource lock ${this.description}: ${errorText(e)}`);
        return false;
      }
      try {
        const created = await client.create<Lease>(R.leases, namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: desired,
        });
        this.observe(created, this.now());
        return true;
      } catch (err) {
        log.debug(`error initially creating leader election record: ${errorText(err)}`);
        return false;
      }
    }
    const old = current.spec ?? {};
    const raw = JSON.stringify(old);
    if (raw !== this.observedRaw) this.observe(current, this.now());
    const heldByOther = !!old.holderIdentity && old.holderIdentity !== this.identity;
    if (heldByOther && this.observedTime + (old.leaseDurationSeconds ?? 0) * 1000 > now) {
      log.debug(`lock is held by ${old.holderIdentity} and has not yet expired`);
      return false;
    }
    if (old.holderIdentity === this.identity) {
      desired.acquireTime = old.acquireTime ?? desired.acquireTime;
      desired.leaseTransitions = old.leaseTransitions ?? 0;
    } else {
      desired.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
    }
    try {
      const updated = await client.update<Lease>(R.leases, namespace, { ...current, spec: { ...old, ...desired } });
      this.observe(updated, this.now());
      return true;
    } catch (e) {
      log.debug(`failed to update lock ${this.description}: ${errorText(e)}`);
      return false;
    }
  }

  /** ReleaseOnCancel: an empty holder and a 1 s duration, so any candidate may take it at once. */
  private async release(): Promise<void> {
    if (!this.lease || this.lease.spec?.holderIdentity !== this.identity) return;
    const now = microTime(new Date(this.now()));
    try {
      const released = await this.config.client.update<Lease>(R.leases, this.config.namespace, {
        ...this.lease,
        spec: { ...this.lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
      });
      this.observe(released, this.now());
    } catch (e) {
      log.warn(`failed to release lock ${this.description}: ${errorText(e)}`);
    }
  }

  private observe(lease: Lease, at: number): void {
    this.lease = lease;
    this.observed = lease.spec ?? {};
    this.observedRaw = JSON.stringify(this.observed);
    this.observedTime = at;
  }

  private reportTransition(): void {
    const leader = this.getLeader();
    if (leader === this.reportedLeader) return;
    this.reportedLeader = leader;
    if (leader) this.config.onNewLeader?.(leader);
  }

  /** resourcelock's RecordEvent: `<identity> <what>` about the Lease, reason LeaderElection. */
  private recordEvent(what: string): void {
    if (!this.lease || !this.config.recorder) return;
    const subject: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: this.lease.metadata };
    this.config.recorder.event(subject, 'Normal', 'LeaderElection', `${this.identity} ${what}`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}
