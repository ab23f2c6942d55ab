// A pod's network and IP go together, network first: podNetwork.tearDown, then the IP back to IPAM.
// While a tearDown fails, the pod's veth and namespace may still hold the IP on the node's bridge,
// so handing the IP to the next pod would put two ARP answers on cni0. The IP therefore stays
// reserved and the tearDown is retried with back-off until it succeeds. The releaser belongs to the
// agent, not to the pod's worker: the agent forgets a finished worker at once, and the retry must
// outlive it.
import type { PodIPAllocator } from './ipam.js';
import type { PodNetwork } from './pod-network.js';
import { logger, errorText } from '../util/log.js';

const log = logger('node');

export interface NetworkReleaserOptions {
  /** First retry delay after a failed tearDown (default 1 s); it doubles after each failure. */
  initialMs?: number;
  /** Longest delay between retries (default 60 s); retries go on at this pace until one succeeds. */
  maxMs?: number;
}

interface Pending {
  /** Who the log lines are about, e.g. `pod default/web`. */
  what: string;
  delayMs: number;
  timer: NodeJS.Timeout | undefined;
  lastError: string | undefined;
}

export class NetworkReleaser {
  private readonly pending = new Map<string, Pending>();
  private stopped = false;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(
    private readonly podNetwork: PodNetwork,
    private readonly ipam: PodIPAllocator,
    opts: NetworkReleaserOptions = {},
  ) {
    this.initialMs = opts.initialMs ?? 1000;
    this.maxMs = opts.maxMs ?? 60_000;
  }

  /**
   * Tears down the pod's network, then releases its IP. Resolves after the first attempt, whatever
   * its outcome (a pod must still finish when its network will not go); true when the IP is free.
   * A failure keeps the IP and retries in the background. Called again for a pod already being
   * released, it returns false at once: the attempt or retry in progress carries on.
   */
  async release(podUID: string, what: string): Promise<boolean> {
    if (this.stopped || this.pending.has(podUID)) return false;
    const p: Pending = { what, delayMs: this.initialMs, timer: undefined, lastError: undefined };
    this.pending.set(podUID, p);
    return this.attempt(podUID, p);
  }

  /** A pod whose tearDown has failed and is being retried (its IP stays reserved meanwhile). */
  retrying(podUID: string): boolean {
    return this.pending.has(podUID);
  }

  /**
   * The agent stops: no more retries. The IPs stay reserved in IPAM's file; the next agent hands
   * the pods that are gone by then to its own releaser (NodeAgent.forgetStalePods).
   */
  stop(): void {
    this.stopped = true;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  private async attempt(podUID: string, p: Pending): Promise<boolean> {
    p.timer = undefined;
    try {
      await this.podNetwork.tearDown(podUID);
    } catch (e) {
      if (this.stopped || this.pending.get(podUID) !== p) return false;
      const message = errorText(e);
      // Once per distinct message: a tearDown failing the same way every minute is one problem.
      if (message !== p.lastError) {
        log.warn(`${p.what}: tearing down its network failed, its IP stays reserved, retrying in ${p.delayMs} ms: ${message}`);
        p.lastError = message;
      }
      p.timer = setTimeout(() => void this.attempt(podUID, p), p.delayMs);
      p.delayMs = Math.min(p.delayMs * 2, this.maxMs);
      return false;
    }
    if (this.stopped || this.pending.get(podUID) !== p) return false;
    if (p.lastError !== undefined) log.info(`${p.what}: network torn down after retrying; its IP is free again`);
    this.ipam.release(podUID);
    this.pending.delete(podUID);
    return true;
  }
}
