// `kubesvc agent`: one node of a cluster that runs elsewhere — the node agent (kubelet) and
// kube-proxy, joined with a bootstrap token exactly as a kubeadm or k3s node joins: the cluster CA
// is pinned by its hash, the node's certificates come from CertificateSigningRequests, and from
// then on everything goes through the API server over HTTPS with the node's own identities.
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import type { Service } from '../api/core.js';
import { HttpClient } from '../client/http-client.js';
import { InformerFactoryImpl } from '../client/informer.js';
import { R } from '../client/resources.js';
import { NodeAgent } from '../node/agent.js';
import { bootstrapNodeCredentials, renewalTime, renewClientCertificates, renewServingCertificate, type BootstrapOptions } from '../node/tls-bootstrap.js';
import { startProxy, type ProxyOptions } from '../proxy/index.js';
import { layoutFlag } from './proxy-rules.js';
import { logger, errorText } from '../util/log.js';
import { flagHelp, parseFlags, UsageError, type FlagSpec } from './flags.js';
import { onStopSignals } from './stop-signals.js';
import { followAPIServers } from '../node/api-servers.js';
import { ipFlag, serverURLFlag, tokenFlag } from './join-flags.js';
import { netnsEnv } from '../node/network/config.js';
import { nodeNet, type NodeNet } from '../node/network/node.js';
import { netnsPodNetwork } from '../node/network/pod-network.js';
import { checkCIDR } from './address-plan.js';
import { checkRegistryHost, checkRegistryMirror } from './registry-flags.js';
import type { ImagePuller } from '../node/runtime/image-puller.js';
import { RemoteImagePuller } from '../node/runtime/image-service.js';
import { OciImagePuller } from '../node/oci-images/puller.js';

const log = logger('agent');

const flags: FlagSpec[] = [
  { name: 'server', metavar: 'URL', help: 'the API server to join, e.g. https://192.0.2.10:6443 (required)' },
  { name: 'token', metavar: 'TOKEN', help: 'the join token (`kubesvc token create`); needed only the first time' },
  { name: 'token-file', metavar: 'PATH', help: 'read the join token from a file instead' },
  { name: 'ca-cert-hash', metavar: 'sha256:HEX', help: "the cluster CA's public key hash (`kubesvc token create --print-join-command` prints it)" },
  { name: 'unsafe-skip-ca-verification', boolean: true, help: 'join without checking the CA hash (anyone between you and the server could pose as it)' },
  { name: 'node-name', metavar: 'NAME', help: 'the Node name', default: 'the hostname' },
  { name: 'node-ip', metavar: 'IP', help: "the node's address: pods' traffic, the kubelet API and NodePorts use it", default: '127.0.0.1' },
  { name: 'pod-cidr', metavar: 'CIDR', help: "this node's pod addresses (distinct from every other node's)", default: '127.244.128.0/24' },
  { name: 'data-dir', metavar: 'DIR', help: "where the node keeps its certificates and pods' files", default: '~/.kubesvc-agent' },
  { name: 'proxy-mode', metavar: 'MODE', help: 'kube-proxy mode: userspace (no root), iptables or nftables', default: 'userspace' },
  { name: 'disable-kube-proxy', boolean: true, help: "run no kube-proxy on this node (as k3s's flag: another proxy, or another node's on this machine, serves Services)" },
  { name: 'kubelet-port', metavar: 'PORT', help: 'port of the kubelet API on the node IP', default: '10250' },
  { name: 'network', metavar: 'MODE', help: "loopback (pods get 127.x addresses) or netns (run inside node namespace <prefix>-node-<n> that `kubesvc up --network netns` made; pods get their own namespaces)", default: 'loopback' },
  { name: 'netns-prefix', metavar: 'NAME', help: 'netns: the prefix of the namespaces (as `up --netns-prefix`)', default: 'kubesvc' },
  { name: 'cluster-cidr', metavar: 'CIDR', help: "netns: the cluster's pod range, a /16 (node n's pods get its n-th /24)", default: '10.244.0.0/16' },
  { name: 'service-cidr', metavar: 'CIDR', help: "netns: the cluster's ClusterIP range (kube-proxy's and the node's routes)", default: '10.96.0.0/12' },
  { name: 'ipvs-scheduler', metavar: 'NAME', help: 'ipvs mode: rr, wrr, lc, wlc, sh, dh, sed or nq', default: 'rr' },
  { name: 'proxy-layout', metavar: 'LAYOUT', help: 'iptables, nftables: inline (no chain per endpoint; loads ~4x faster at 10,000 Services) or upstream (kube-proxy\'s layout, rule for rule)', default: 'inline' },
  { name: 'insecure-registry', metavar: 'HOST:PORT', repeated: true, help: 'pull images from this registry over plain HTTP (registries on 127.0.0.0/8 always are)' },
  { name: 'registry-mirror', metavar: 'URL', repeated: true, help: "try this registry before Docker Hub for docker.io images (as containerd's mirrors)" },
  { name: 'image-service', metavar: 'SOCKET', help: "pull images through this image service (a Unix socket; `kubesvc up` serves one to its netns nodes) instead of pulling into DATA-DIR/images" },
  { name: 'exit-with-parent', boolean: true, help: 'exit at once, leaving pods running, when standard input closes (how `kubesvc up` ties its nodes to itself)' },
  { name: 'help', boolean: true, help: 'show this help' },
];

export const agentUsage = `Usage: kubesvc agent --server URL --token TOKEN --ca-cert-hash sha256:HEX [flags]

Runs one node of a cluster whose control plane runs elsewhere (\`kubesvc up\` or \`kubesvc server\`):
the node agent, which runs the pods the scheduler gives this node, and kube-proxy. The first start
joins with the token; the node then has certificates of its own in DATA-DIR/pki and restarts need
no token. On the control-plane machine, \`kubesvc token create --print-join-command\` prints the
command to run here.

Flags:
${flagHelp(flags)}
`;

/** netns mode: the node namespace `up` made for node n (named <prefix>-node-<n>), and the cluster's ranges. */
function netnsNode(values: Map<string, string>, nodeName: string): { node: NodeNet; clusterCIDR: string; serviceCIDR: string } {
  const prefix = values.get('netns-prefix') ?? 'kubesvc';
  const m = new RegExp(`^${prefix.replace(/[^a-z0-9-]/g, '')}-node-(\\d{1,3})$`).exec(nodeName);
  if (!m) throw new UsageError(`--network netns: --node-name must be a node namespace of \`up\`, ${prefix}-node-<n>, not ${JSON.stringify(nodeName)}`);
  const clusterCIDR = checkCIDR('cluster-cidr', values.get('cluster-cidr') ?? '10.244.0.0/16');
  const serviceCIDR = checkCIDR('service-cidr', values.get('service-cidr') ?? '10.96.0.0/12');
  let env;
  try {
    env = netnsEnv({ prefix, podCIDR: clusterCIDR, serviceCIDR });
  } catch (e) {
    throw new UsageError(`--network netns: ${errorText(e)}`);
  }
  return { node: nodeNet(Number(m[1]), env), clusterCIDR, serviceCIDR };
}

export async function agent(argv: string[]): Promise<number> {
  const f = parseFlags(argv, flags);
  if (f.bools.has('help')) {
    process.stdout.write(agentUsage);
    return 0;
  }
  if (f.positional.length) throw new UsageError(`agent takes no arguments, got ${JSON.stringify(f.positional.join(' '))}`);
  const server = f.values.get('server');
  if (!server) throw new UsageError('agent needs --server, the API server to join (e.g. https://127.0.0.1:6443)');
  const url = serverURLFlag(server, 'https://127.0.0.1:6443');
  const token = tokenFlag(f.values);
  const nodeName = f.values.get('node-name') ?? hostname().toLowerCase();
  const givenIP = ipFlag(f.values, 'node-ip') ?? '127.0.0.1';
  const givenPodCIDR = f.values.get('pod-cidr') ?? '127.244.128.0/24';
  const mode = (f.values.get('proxy-mode') ?? 'userspace') as ProxyOptions['mode'];
  const layout = layoutFlag(f.values);
  const kubeletPort = Number(f.values.get('kubelet-port') ?? '10250');
  if (!Number.isInteger(kubeletPort) || kubeletPort < 0 || kubeletPort > 65535) throw new UsageError(`--kubelet-port must be a port number, not ${f.values.get('kubelet-port')}`);
  const dataDir = resolve((f.values.get('data-dir') ?? '~/.kubesvc-agent').replace(/^~(?=$|\/)/, homedir()));
  const network = f.values.get('network') ?? 'loopback';
  if (network !== 'loopback' && network !== 'netns') throw new UsageError(`--network must be loopback or netns, not ${JSON.stringify(network)}`);
  const netns = network === 'netns' ? netnsNode(f.values, nodeName) : undefined;
  if (netns) {
    if (f.values.has('node-ip') && givenIP !== netns.node.nodeIP) throw new UsageError(`--node-ip: node ${nodeName}'s address in netns mode is ${netns.node.nodeIP}`);
    if (f.values.has('pod-cidr') && givenPodCIDR !== netns.node.podCIDR) throw new UsageError(`--pod-cidr: node ${nodeName}'s pods in netns mode are in ${netns.node.podCIDR}`);
  }
  // netns mode: the node's address and pod range are its namespace's.
  const nodeIP = netns?.node.nodeIP ?? givenIP;
  const podCIDR = netns?.node.podCIDR ?? givenPodCIDR;
  if (f.bools.has('exit-with-parent')) {
    // The parent is gone (kill -9 too): leave at once, as the parent did, so the pods keep running
    // for the next start to adopt — a SIGKILL of our own, since process.exit would run the exit
    // hooks that end containers with the agent.
    const leave = () => process.kill(process.pid, 'SIGKILL');
    process.stdin.on('close', leave);
    process.stdin.on('end', leave);
    // Its output went to the parent too: a write that finds the pipe closed (EPIPE) means the same,
    // and must not become an uncaught error that ends the pods on its way out.
    process.stdout.on('error', leave);
    process.stderr.on('error', leave);
    process.stdin.resume();
  }

  const imageService = f.values.get('image-service');
  const imagePuller: ImagePuller = imageService
    ? new RemoteImagePuller(imageService)
    : new OciImagePuller({ dir: join(dataDir, 'images'), insecureRegistries: (f.lists.get('insecure-registry') ?? []).map(checkRegistryHost), registryMirrors: (f.lists.get('registry-mirror') ?? []).map(checkRegistryMirror) });
  const signals = onStopSignals();
  const t0 = Date.now();
  const hash = f.values.get('ca-cert-hash');
  const bootstrap: BootstrapOptions = {
    server: url.origin,
    ...(token ? { token } : {}),
    ...(hash ? { caCertHash: hash } : {}),
    unsafeSkipCAVerification: f.bools.has('unsafe-skip-ca-verification'),
    nodeName,
    servingNames: { dns: [nodeName], ips: [nodeIP] },
    dataDir,
  };
  let creds = await bootstrapNodeCredentials(bootstrap);
  const nodeClient = new HttpClient({ server: url.origin, ca: creds.ca, cert: creds.node.cert, key: creds.node.key });
  const proxyClient = new HttpClient({ server: url.origin, ca: creds.ca, cert: creds.proxy.cert, key: creds.proxy.key });
  const stops: (() => unknown)[] = [() => nodeClient.close(), () => proxyClient.close()];
  // Certificate rotation (the kubelet's --rotate-certificates and serving-certificate rotation, on
  // by default): the client certificates are renewed 80 % into the shorter life of the two and the
  // clients switched to them; the kubelet API's serving certificate 80 % into its own, and the
  // server switched to it. A failed renewal is retried every 5 s while the old certificates hold.
  let rotation: NodeJS.Timeout | undefined;
  let useServing: ((cert: string, key: string) => void) | undefined;
  const clientsDue = () => Math.min(renewalTime(creds.node.cert, creds.obtainedAt.node), renewalTime(creds.proxy.cert, creds.obtainedAt.proxy));
  const servingDue = () => renewalTime(creds.serving.cert, creds.obtainedAt.serving);
  const rotate = async () => {
    if (Date.now() >= clientsDue()) {
      creds = await renewClientCertificates(bootstrap, creds);
      nodeClient.setCredentials(creds.node.cert, creds.node.key);
      proxyClient.setCredentials(creds.proxy.cert, creds.proxy.key);
      log.info('rotated the node and kube-proxy client certificates');
    }
    if (Date.now() >= servingDue()) {
      creds = await renewServingCertificate(bootstrap, creds);
      useServing?.(creds.serving.cert, creds.serving.key);
      log.info("rotated the kubelet API's serving certificate");
    }
  };
  const scheduleRotation = (afterFailure = false) => {
    const at = Math.min(clientsDue(), servingDue());
    // At least a second apart: a signer that hands out nearly expired certificates must not make a loop of CSRs.
    const delay = afterFailure ? 5_000 : Math.max(1000, at - Date.now());
    rotation = setTimeout(() => {
      // A timer cannot wait more than ~24.8 days: one that fired early only waits again.
      if (!afterFailure && Date.now() < at) return scheduleRotation();
      rotate().then(
        () => scheduleRotation(),
        (e: unknown) => {
          log.warn(`renewing certificates failed (trying again in 5 s): ${errorText(e)}`);
          scheduleRotation(true);
        },
      );
    }, Math.min(delay, 2 ** 31 - 1));
  };
  scheduleRotation();
  stops.push(() => clearTimeout(rotation));
  const stop = async () => {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch((e: unknown) => log.warn(`stopping: ${errorText(e)}`));
  };
  try {
    // The cluster DNS address pods are given: the kube-dns Service's, as kubeadm's kubelet config has it.
    const dns = await nodeClient.get<Service>(R.services, 'kube-system', 'kube-dns').catch(() => undefined);
    const nodeInformers = new InformerFactoryImpl(nodeClient);
    // Every live API server, for failing over when the one in use dies.
    const serverInformers = new InformerFactoryImpl(proxyClient);
    followAPIServers(serverInformers, [nodeClient, proxyClient], url.origin);
    serverInformers.start();
    stops.push(() => serverInformers.stop());
    const clusterDNS = dns?.spec?.clusterIP;
    const nodeAgent = new NodeAgent(nodeClient, nodeInformers, {
      nodeName,
      nodeIP,
      podCIDR,
      dataDir: join(dataDir, 'node'),
      ...(clusterDNS ? { clusterDNS } : {}),
      clusterDomain: 'cluster.local',
      imagePuller,
      ...(netns ? { podNetwork: netnsPodNetwork(netns.node, { ...(clusterDNS ? { clusterDNS } : {}), clusterDomain: 'cluster.local' }) } : {}),
      kubeletServer: { cert: creds.serving.cert, key: creds.serving.key, clientCA: creds.ca, address: nodeIP, port: kubeletPort, freePortIfTaken: false },
    });
    stops.push(() => nodeAgent.stop());
    await nodeAgent.start();
    useServing = (cert, key) => nodeAgent.setServingCertificate(cert, key);
    nodeInformers.start();
    if (!f.bools.has('disable-kube-proxy')) {
      const proxyInformers = new InformerFactoryImpl(proxyClient);
      const proxy = await startProxy(proxyClient, proxyInformers, {
        nodeName,
        nodeIP,
        mode,
        // The rules go into the node's namespace (this process runs there; the tools are run there by name, as `up` runs them).
        ...(netns ? { netns: netns.node.namespace, clusterCIDR: netns.clusterCIDR, serviceCIDR: netns.serviceCIDR } : {}),
        ...(f.values.has('ipvs-scheduler') ? { ipvsScheduler: f.values.get('ipvs-scheduler')! } : {}),
        ...(layout ? { layout } : {}),
        metricsPort: 0,
        healthzPort: 0,
      });
      stops.push(() => proxy.stop());
      nodeAgent.setProxyMetricsPort(proxy.metricsPort);
      proxyInformers.start();
    }
    process.stdout.write(`kubesvc agent: node ${nodeName} joined ${url.origin} and is running (${((Date.now() - t0) / 1000).toFixed(2)}s)\n`);
  } catch (e) {
    await stop();
    signals.dispose();
    throw e;
  }
  await signals.received;
  await stop();
  signals.dispose();
  return 0;
}
