// netns mode's nodes as processes: each node's agent and kube-proxy run as a `kubesvc agent
// --network netns` process inside the node's network namespace, joined over HTTPS through the host
// bridge with a bootstrap token and the CA's hash, exactly as a node on another machine joins. So
// the kubelet API listens on the node's own address, probes leave from it, and everything the node
// does goes through the API with its own certificates. `up` supervises them: their output is its
// log (prefixed with the node), one that exits is started again, and a stop ends them (their pods
// with them) before the namespaces go. Tied to `up` by a pipe on their standard input: when `up`
// dies (kill -9) they leave at once too, without stopping their pods, which the next start adopts.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import type { Pod } from '../api/core.js';
import { bootstrapTokenSecret, formatBootstrapToken, generateBootstrapToken } from '../api/bootstrap-token.js';
import type { Client } from '../client/client.js';
import { R } from '../client/resources.js';
import { caCertHash } from '../apiserver/pki.js';
import { podUIDHex } from '../node/network/config.js';
import { LineSplitter } from '../client/line-splitter.js';
import { errorText, isQuiet, logger } from '../util/log.js';
import { kubesvcMain } from './entry.js';

const log = logger('kubesvc');

export interface NodeProcess {
  name: string;
  namespace: string;
  /** The agent's data dir (its certificates, pods' files). */
  dataDir: string;
}

export interface NodeProcessesOptions {
  /** The API server as nodes reach it: through the host bridge. */
  server: string;
  caPem: string;
  /** Creates and deletes the join token's Secret (the installer's client). */
  installer: Client;
  nodes: NodeProcess[];
  prefix: string;
  podCIDR: string;
  serviceCIDR: string;
  proxyMode: string;
  ipvsScheduler?: string;
  proxyLayout?: string;
  /** The image service's socket the agents pull through (absent: built-in images only). */
  imageService?: string;
  /** Where the join token is written for the agents (0600), removed once every node joined. */
  tokenFile: string;
}

export interface NodeProcesses {
  /** Whether the node's agent is running and has joined. */
  ready(name: string): boolean;
  /** UIDs (32 hex) of the pods bound to these nodes: what their agents adopt. */
  claimedPods(): Promise<Set<string>>;
  stop(): Promise<void>;
}

interface Supervised {
  node: NodeProcess;
  child?: ChildProcess;
  joined: boolean;
  tail: string[];
  restarts: number;
}

/** How long a stopping agent may take to stop its pods (their grace periods) before it is killed. */
const stopGraceMs = 45_000;

export async function startNodeProcesses(o: NodeProcessesOptions): Promise<NodeProcesses> {
  // A token for nodes that have no certificates yet (a first start); nodes that joined before
  // restart on their own certificates. It is removed again once every node has joined.
  const token = generateBootstrapToken();
  await o.installer.create(R.secrets, 'kube-system', bootstrapTokenSecret(token, { ttlSeconds: 3600, description: `kubesvc up: joins the netns nodes ${o.prefix}-node-*` }));
  writeFileSync(o.tokenFile, `${formatBootstrapToken(token)}\n`, { mode: 0o600 });
  const dropToken = async () => {
    rmSync(o.tokenFile, { force: true });
    await o.installer.delete(R.secrets, 'kube-system', `bootstrap-token-${token.id}`).catch(() => undefined);
  };
  const hash = caCertHash(o.caPem);
  let stopping = false;
  const supervised: Supervised[] = o.nodes.map((node) => ({ node, joined: false, tail: [], restarts: 0 }));

  // nsenter enters the node's network namespace only: `ip netns exec` would also give the agent a
  // mount namespace of its own, and the pod namespaces it makes (bind mounts under /run/netns)
  // would then exist for it alone.
  const argv = (node: NodeProcess) => [
    `--net=/run/netns/${node.namespace}`, '--', process.execPath, kubesvcMain(), 'agent',
    '--server', o.server, '--token-file', o.tokenFile, '--ca-cert-hash', hash,
    '--node-name', node.name, '--network', 'netns', '--netns-prefix', o.prefix,
    '--cluster-cidr', o.podCIDR, '--service-cidr', o.serviceCIDR,
    '--data-dir', node.dataDir, '--proxy-mode', o.proxyMode,
    ...(o.ipvsScheduler ? ['--ipvs-scheduler', o.ipvsScheduler] : []),
    ...(o.proxyLayout ? ['--proxy-layout', o.proxyLayout] : []),
    ...(o.imageService ? ['--image-service', o.imageService] : []),
    '--exit-with-parent',
  ];

  const launch = (s: Supervised): Promise<void> =>
    new Promise((resolve, reject) => {
      s.joined = false;
      const child = spawn('nsenter', argv(s.node), { stdio: ['pipe', 'pipe', 'pipe'] });
      s.child = child;
      const lines = new LineSplitter();
      const onData = (chunk: Buffer) => {
        for (const raw of lines.push(chunk)) {
          // The agent's log lines carry their time: shown with the node's name after it.
          const stamped = /^(\d\d:\d\d:\d\d\.\d{3}) (.*)$/.exec(raw);
          const line = stamped ? stamped[2]! : raw;
          s.tail.push(line);
          if (s.tail.length > 40) s.tail.shift();
          if (!isQuiet() || / (ERROR|WARN) /.test(raw)) process.stderr.write(`${stamped ? stamped[1] : new Date().toISOString().slice(11, 23)} [${s.node.name}] ${line}\n`);
          if (!s.joined && /joined .* and is running/.test(line)) {
            s.joined = true;
            resolve();
          }
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.stdin!.on('error', () => undefined);
      child.once('error', (e) => reject(new Error(`node ${s.node.name}: cannot start its agent: ${errorText(e)}`)));
      child.once('exit', (code, signal) => {
        if (!s.joined) {
          reject(new Error(`node ${s.node.name}: its agent exited (${signal ?? code}) before joining:\n  ${s.tail.slice(-15).join('\n  ')}`));
          return;
        }
        s.joined = false;
        if (stopping) return;
        // A node that fell over comes back, as a kubelet under systemd does.
        const delay = Math.min(30_000, 1000 * 2 ** Math.min(s.restarts++, 5));
        log.warn(`node ${s.node.name}: its agent exited (${signal ?? code}); starting it again in ${delay / 1000} s`);
        setTimeout(() => {
          if (!stopping) launch(s).catch((e) => log.error(`node ${s.node.name}`, e));
        }, delay).unref();
      });
    });

  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopAll());
  const stopAll = async () => {
    stopping = true;
    await Promise.all(
      supervised.map(async (s) => {
        const child = s.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
    rmSync(o.tokenFile, { force: true });
  };

  try {
    await Promise.all(supervised.map((s) => launch(s)));
  } catch (e) {
    await stop();
    await dropToken();
    throw e;
  }
  await dropToken();
  const names = new Set(o.nodes.map((n) => n.name));
  return {
    ready: (name) => supervised.some((s) => s.node.name === name && s.joined),
    async claimedPods() {
      const pods = await o.installer.list<Pod>(R.pods, undefined);
      return new Set(pods.items.filter((p) => names.has(p.spec?.nodeName ?? '')).map((p) => podUIDHex(p.metadata.uid!)));
    },
    stop,
  };
}

