// A real API server in this process (as `kubesvc up` starts it) with the pod subresources wired,
// a real kubelet API for node "fake-node-1" over a fake StreamingRuntime — logs from strings, exec
// by spawning the command on this host, port-forward to 127.0.0.1 — and the real kubectl run against it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { parseUpOptions, startCluster, upFlags, type Cluster } from '../../src/cli/up.js';
import type { Node, Pod, ContainerStatus } from '../../src/api/core.js';
import type { AttachRequest, ExecRequest, ExecSession, LogOptions, StreamingRuntime } from '../../src/streaming/runtime.js';
import { ensureKubeletServingCertificate } from '../../src/apiserver/pki.js';
import { LocalClient } from '../../src/apiserver/local-client.js';
import { KubeletServer } from '../../src/node/kubelet/server.js';
import { newContext } from '../../src/apiserver/store/context.js';

export const kubectlBin = process.env.KUBECTL ?? '/usr/bin/kubectl';
export const NODE = 'fake-node-1';

/** Log lines per `namespace/pod/container`; `follow` readers also get lines appended later. */
export class FakeNode implements StreamingRuntime {
  readonly logText = new Map<string, string>();
  readonly followers = new Set<PassThrough>();
  readonly execs: ExecRequest[] = [];
  readonly children: ChildProcess[] = [];
  /** Set by tests to see that a follower was closed when kubectl went away. */
  closedFollowers = 0;

  lastLogOptions: LogOptions | undefined;

  async logs(namespace: string, pod: string, container: string, opts: LogOptions): Promise<Readable> {
    this.lastLogOptions = opts;
    const key = `${namespace}/${pod}/${container}`;
    let text = this.logText.get(key) ?? '';
    if (opts.tailLines !== undefined) {
      const lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      text = lines.slice(Math.max(0, lines.length - opts.tailLines)).map((l) => `${l}\n`).join('');
    }
    if (opts.limitBytes !== undefined) text = text.slice(0, opts.limitBytes);
    const out = new PassThrough();
    out.write(text);
    if (!opts.follow) {
      out.end();
      return out;
    }
    this.followers.add(out);
    out.on('close', () => {
      this.followers.delete(out);
      this.closedFollowers++;
    });
    return out;
  }

  append(line: string): void {
    for (const f of this.followers) f.write(`${line}\n`);
  }

  async exec(req: ExecRequest): Promise<ExecSession> {
    this.execs.push(req);
    const child = spawn(req.command[0]!, req.command.slice(1), { stdio: ['pipe', 'pipe', req.tty ? 'inherit' : 'pipe'] });
    this.children.push(child);
    if (!req.stdin) child.stdin!.end();
    const exit = new Promise<{ code: number | null; signal?: string }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(signal ? { code, signal } : { code }));
    });
    return {
      ...(req.stdin ? { stdin: child.stdin! } : {}),
      stdout: child.stdout!,
      ...(child.stderr ? { stderr: child.stderr } : {}),
      resize: () => undefined,
      exit,
      kill: () => void child.kill('SIGKILL'),
    };
  }

  readonly attaches: AttachRequest[] = [];

  /** The container's output from now on: what `append` writes to followers. */
  async attach(req: AttachRequest): Promise<ExecSession> {
    this.attaches.push(req);
    const out = await this.logs(req.namespace, req.pod, req.container, { follow: true, tailLines: 0 });
    return { stdout: out, resize: () => undefined, exit: new Promise((resolve) => out.once('close', () => resolve({ code: 0 }))), kill: () => void out.destroy() };
  }

  async portForward(_namespace: string, _pod: string, port: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
  }
}

export interface TestCluster {
  cluster: Cluster;
  node: FakeNode;
  /** The fake node's kubelet API. */
  kubelet: KubeletServer;
  /** What that kubelet serves as its pods (createPod adds to it). */
  pods: Map<string, Pod>;
  dir: string;
  kubeconfig: string;
  stop(): Promise<void>;
}

export async function startTestCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-pods-'));
  // Every port this cluster opens is a free one, so test files can run side by side.
  const args = ['--data-dir', dir, '--api-port', '0', '--disable', 'ingress'];
  for (const f of ['proxy-metrics-port', 'proxy-healthz-port']) if (upFlags.some((u) => u.name === f)) args.push(`--${f}`, '0');
  const o = parseUpOptions(args);
  if (o === 'help') throw new Error('unexpected');
  const cluster = await startCluster(o);
  const node = new FakeNode();
  const pods = new Map<string, Pod>();
  const serving = await ensureKubeletServingCertificate(dir, join(dir, NODE), NODE, { dns: [NODE], ips: ['127.0.0.1'] });
  const kubelet = new KubeletServer(
    { nodeName: NODE, address: '127.0.0.1', port: 0, cert: serving.certPem, key: serving.keyPem, clientCA: cluster.api.opts.tls.ca, client: new LocalClient(cluster.api) },
    { runtime: node, pods: () => [...pods.values()], podProcesses: () => [] },
  );
  const port = await kubelet.start();
  // A Node object too (so that nothing takes the test's pods for orphans of an unknown node), saying where its kubelet is.
  const nodes = cluster.api.store('', 'nodes');
  const created = (await nodes.create(newContext(), { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE }, spec: { unschedulable: true } })) as Node;
  created.status = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } };
  await nodes.update(newContext(), undefined, NODE, created, 'status');
  return {
    cluster,
    node,
    kubelet,
    pods,
    dir,
    kubeconfig: cluster.kubeconfig,
    async stop() {
      await kubelet.stop();
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function running(name: string): ContainerStatus {
  return { name, ready: true, restartCount: 0, image: 'busybox', imageID: '', state: { running: { startedAt: new Date().toISOString() } } };
}

export function waiting(name: string, reason: string): ContainerStatus {
  return { name, ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { waiting: { reason } } };
}

/** Creates a Pod bound to the fake node and sets its status through the status subresource. */
export async function createPod(
  t: TestCluster,
  name: string,
  containers: string[],
  statuses: ContainerStatus[] = containers.map(running),
  nodeName: string = NODE,
): Promise<void> {
  const store = t.cluster.api.store('', 'pods');
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    // An unbound pod names a scheduler that does not exist, so that it stays unbound.
    spec: { containers: containers.map((c) => ({ name: c, image: 'busybox' })), ...(nodeName ? { nodeName } : { schedulerName: 'nobody' }) },
  };
  const created = (await store.create(newContext({ namespace: 'default' }), pod)) as Pod;
  created.status = { ...created.status, phase: statuses.every((s) => s.state?.running) ? 'Running' : 'Pending', podIP: '127.0.0.1', containerStatuses: statuses };
  t.pods.set(`default/${name}`, (await store.update(newContext({ namespace: 'default' }), 'default', name, created, 'status')).object as Pod);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** kubectl as a child process (asynchronously: the API server runs in this very process). */
export function startKubectl(t: TestCluster, args: string[]): ChildProcess {
  return spawn(kubectlBin, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, KUBECONFIG: t.kubeconfig, KUBECACHEDIR: join(t.dir, 'kubectl-cache'), HOME: t.dir },
  });
}

export function kubectl(t: TestCluster, args: string[], input = '', timeoutMs = 30_000): Promise<RunResult> {
  const p = startKubectl(t, args);
  let stdout = '';
  let stderr = '';
  p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  p.stdin!.end(input);
  return new Promise((resolve) => {
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Resolves once `read()` satisfies `ok`, polling; rejects after `ms`. */
export async function eventually(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
