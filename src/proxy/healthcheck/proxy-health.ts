// Upstream's ProxyHealthServer: the proxy is healthy while every change it was told about
// (queuedUpdate) is applied (updated) within healthTimeout, and its node is not being deleted.
// Served on /healthz (with the node check) and /livez (without), with upstream's JSON bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxyMetrics } from '../metrics/kubeproxy.js';
import { goTimeString, goZeroTime } from './go-time.js';

export class ProxyHealth {
  private lastUpdated: number | undefined;
  private oldestPendingQueued: number | undefined;
  private nodeEligible = true;

  constructor(
    private readonly healthTimeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A change arrived that the data plane does not reflect yet. */
  queuedUpdate(): void {
    this.oldestPendingQueued ??= this.now();
  }

  /** The data plane now reflects every change queued so far. */
  updated(): void {
    this.oldestPendingQueued = undefined;
    this.lastUpdated = this.now();
  }

  /** The node is being deleted or drained by the autoscaler: load balancers should stop using it. */
  setNodeEligible(eligible: boolean): void {
    this.nodeEligible = eligible;
  }

  isHealthy(): boolean {
    return this.state().healthy;
  }

  private state(): { healthy: boolean; lastUpdated: number | undefined } {
    const now = this.now();
    const late = this.oldestPendingQueued !== undefined && now - this.oldestPendingQueued >= this.healthTimeoutMs;
    // Healthy while starting up (nothing applied yet, nothing late) as upstream.
    return { healthy: !late, lastUpdated: this.lastUpdated };
  }

  /** Handles /healthz and /livez; other paths get 404. */
  handle(req: IncomingMessage, res: ServerResponse, metrics?: ProxyMetrics): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/livez') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    const st = this.state();
    const now = this.now();
    const healthy = path === '/healthz' ? st.healthy && this.nodeEligible : st.healthy;
    // Older kube-proxies reported the last sync time; healthy answers say "now", as upstream keeps doing.
    const lastUpdated = healthy ? goTimeString(now) : st.lastUpdated === undefined ? goZeroTime : goTimeString(st.lastUpdated);
    const code = healthy ? 200 : 503;
    (path === '/healthz' ? metrics?.proxyHealthzTotal : metrics?.proxyLivezTotal)?.inc(1, { code: String(code) });
    res.writeHead(code, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
    const body =
      path === '/healthz'
        ? `{"lastUpdated": ${JSON.stringify(lastUpdated)},"currentTime": ${JSON.stringify(goTimeString(now))}, "nodeEligible": ${this.nodeEligible}}`
        : `{"lastUpdated": ${JSON.stringify(lastUpdated)},"currentTime": ${JSON.stringify(goTimeString(now))}}`;
    res.end(body);
  }
}
