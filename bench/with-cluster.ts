// A benchmark's cluster: `kubesvc up` (or the API server alone) in a fresh data dir, one keep-alive
// HTTPS pool to it, and everything stopped and removed afterwards, whatever happened.
import './closed-output.js';
import { rmSync } from 'node:fs';
import { startCluster, type Cluster } from '../test/e2e/harness.js';
import { connect, type Conn } from './https-call.js';

export async function withCluster(
  opts: { command?: 'up' | 'apiserver'; clients: number },
  run: (c: Cluster, conn: Conn) => Promise<void>,
): Promise<void> {
  const c = await startCluster({ command: opts.command ?? 'up' });
  const conn = connect(c.url, c.kubeconfig, opts.clients);
  try {
    await run(c, conn);
  } finally {
    conn.agent.destroy();
    await c.stop();
    rmSync(c.dataDir, { recursive: true, force: true });
  }
}

/** Runs a benchmark's main; a failure is printed and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
