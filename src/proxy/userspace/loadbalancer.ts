// The old userspace proxy's LoadBalancerRR: per balancer, the endpoints are shuffled once when
// they change (so every node does not start on the same pod) and then taken in turn; with
// ClientIP affinity a client keeps its endpoint until it has been idle for timeoutSeconds.
// Balancers are keyed by Service port and endpoint set (cluster or local), so ClusterIP and
// NodePort traffic with the same policy share turns and affinity, as one KUBE-SVC chain would.

export interface AffinityPolicy {
  type: 'None' | 'ClientIP';
  ttlSeconds: number;
}

interface Sticky {
  endpoint: string;
  lastUsed: number;
}

interface BalancerState {
  endpoints: string[];
  index: number;
  affinity: AffinityPolicy;
  sticky: Map<string, Sticky>;
}

export class LoadBalancerRR {
  private readonly balancers = new Map<string, BalancerState>();

  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sets a balancer's endpoints ("ip:port") and affinity; unchanged sets keep their turn and sticky clients. */
  update(key: string, endpoints: readonly string[], affinity: AffinityPolicy): void {
    let st = this.balancers.get(key);
    if (!st) {
      st = { endpoints: [], index: 0, affinity, sticky: new Map() };
      this.balancers.set(key, st);
    }
    if (st.affinity.type !== affinity.type || st.affinity.ttlSeconds !== affinity.ttlSeconds) {
      st.affinity = affinity;
      st.sticky.clear();
    }
    const sorted = [...endpoints].sort();
    const current = [...st.endpoints].sort();
    if (sorted.length === current.length && sorted.every((e, i) => e === current[i])) return;
    st.endpoints = this.shuffle(sorted);
    st.index = 0;
    const keep = new Set(sorted);
    for (const [client, s] of st.sticky) if (!keep.has(s.endpoint)) st.sticky.delete(client);
  }

  delete(key: string): void {
    this.balancers.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.balancers.keys();
  }

  /** Whether the balancer needs the client's IP (ClientIP affinity). */
  isSticky(key: string): boolean {
    return this.balancers.get(key)?.affinity.type === 'ClientIP';
  }

  endpoints(key: string): readonly string[] {
    return this.balancers.get(key)?.endpoints ?? [];
  }

  /**
   * The endpoint for the next connection from `clientIP`, or undefined when there is none.
   * `sessionAffinityReset` is set when the sticky endpoint just failed to connect: pick anew.
   */
  nextEndpoint(key: string, clientIP: string, sessionAffinityReset = false): string | undefined {
    const st = this.balancers.get(key);
    if (!st || st.endpoints.length === 0) return undefined;
    const sticky = st.affinity.type === 'ClientIP';
    const now = this.now();
    if (sticky && !sessionAffinityReset) {
      const s = st.sticky.get(clientIP);
      if (s && now - s.lastUsed < st.affinity.ttlSeconds * 1000) {
        s.lastUsed = now;
        return s.endpoint;
      }
    }
    const endpoint = st.endpoints[st.index % st.endpoints.length]!;
    st.index = (st.index + 1) % st.endpoints.length;
    if (sticky) st.sticky.set(clientIP, { endpoint, lastUsed: now });
    return endpoint;
  }

  /** Forgets sticky clients idle past their timeout (run periodically, as upstream's CleanupStaleStickySessions). */
  cleanupStaleStickySessions(): void {
    const now = this.now();
    for (const st of this.balancers.values()) {
      for (const [client, s] of st.sticky) if (now - s.lastUsed >= st.affinity.ttlSeconds * 1000) st.sticky.delete(client);
    }
  }

  private shuffle(a: string[]): string[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}
