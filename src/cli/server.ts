// `kubesvc server`: one control-plane machine — the API server, the controllers and the scheduler
// (each under its Lease, so among several servers exactly one of each acts) and cluster DNS, on a
// datastore several servers share (etcd). Nodes join as `kubesvc agent`s. The first server
// (`--cluster-init`) makes the cluster CA, the service-account key and a join token; further servers
// join with the token and read the CA from the datastore, encrypted with it (see
// apiserver/shared-pki.ts), as k3s servers do.
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import https from 'node:https';
import { homedir, hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { openBackend } from '../storage/registry.js';
import { startCompactor } from '../storage/compactor.js';
import type { Backend } from '../storage/backend.js';
import { caCertHash, ensurePki, ensureServiceAccountKey } from '../apiserver/pki.js';
import { fetchSharedPki, publishSharedPki, readSharedPki, writeSharedPki, WrongTokenError } from '../apiserver/shared-pki.js';
import { allowLoopbackAddresses } from '../api/validation/ip.js';
import { writeKubeconfig } from '../apiserver/kubeconfig.js';
import { ApiServer } from '../apiserver/server.js';
import { LocalClient } from '../apiserver/local-client.js';
import { identities } from '../apiserver/auth/component-identity.js';
import { R } from '../client/resources.js';
import type { Secret } from '../api/core.js';
import { bootstrapTokenSecret, formatBootstrapToken, generateBootstrapToken, parseBootstrapToken, secretValue, tokenSecretKey, type BootstrapToken } from '../api/bootstrap-token.js';
import { StatusError } from '../machinery/status.js';
import { indexedIP } from '../apiserver/allocators/ipv4.js';
import { isIPv4 } from '../proxy/ip.js';
import { startControlPlaneComponents } from './components.js';
import { controlPlaneFlags, parseControlPlaneFlags } from './control-plane-flags.js';
import { checkCIDR, parsePortRangeFlag } from './address-plan.js';
import { flagHelp, parseFlags, UsageError, type FlagSpec } from './flags.js';
import { onStopSignals, StartAborted, throwIfStopped } from './stop-signals.js';
import { portFlag, takeLock, waitReady } from './up.js';
import { ipFlag, serverURLFlag, tokenFlag } from './join-flags.js';
import { apiServingFlags, parseApiServingFlags } from './api-serving-flags.js';
import { errorText, logger } from '../util/log.js';

const log = logger('server');

const flags: FlagSpec[] = [
  { name: 'cluster-init', boolean: true, help: 'start a new cluster: make its CA, service-account key and join token (DIR/token)' },
  { name: 'server', metavar: 'URL', help: 'join the cluster of this running server (https://HOST:PORT); needs --token and the same --datastore' },
  { name: 'token', metavar: 'TOKEN', help: 'the cluster token (<6 chars>.<16 chars>, a bootstrap token): the first server makes one unless given' },
  { name: 'token-file', metavar: 'PATH', help: 'read the token from a file instead' },
  { name: 'datastore', metavar: 'URL', help: 'etcd://host:port,host:port,... shared by every server, or sqlite (one server only)', default: 'sqlite' },
  { name: 'data-dir', metavar: 'DIR', help: "where this server keeps its certificates, token and kubeconfig", default: '~/.kubesvc' },
  { name: 'api-port', metavar: 'N', help: 'the API server port', default: '6443' },
  { name: 'bind-address', metavar: 'IP', help: 'the address the API server listens on', default: '0.0.0.0' },
  { name: 'advertise-address', metavar: 'IP', help: "the address other machines reach this server at (the `kubernetes` Service's endpoints, cluster DNS)", default: "the machine's first non-loopback IPv4 address" },
  { name: 'tls-san', metavar: 'NAME|IP', repeated: true, help: "another name or address for the API server's certificate" },
  { name: 'service-cidr', metavar: 'CIDR', help: 'ClusterIP range (every server the same)', default: '10.96.0.0/12' },
  { name: 'service-node-port-range', metavar: 'RANGE', help: 'NodePort range (every server the same)', default: '30000-32767' },
  { name: 'cluster-domain', metavar: 'DOMAIN', help: 'the DNS domain of Services and pods', default: 'cluster.local' },
  { name: 'lb-pool', metavar: 'CIDR|RANGE', help: 'LoadBalancer IPs (none: LoadBalancer Services stay pending)' },
  ...apiServingFlags,
  ...controlPlaneFlags,
  { name: 'help', boolean: true, help: 'show this help' },
];

export const serverUsage = `Usage: kubesvc server --cluster-init [flags]
       kubesvc server --server https://HOST:PORT --token TOKEN --datastore etcd://... [flags]

Runs one control-plane machine: the API server, controllers, scheduler and cluster DNS. Nodes join
it with \`kubesvc agent\`. Several servers share one etcd (--datastore etcd://a:2379,b:2379,c:2379):
each serves the whole API, and the controllers and the scheduler run on one of them at a time
(leader election), moving to another within seconds when it dies.

The first server starts with --cluster-init: it makes the cluster CA, the service-account key and a
token (in DIR/token, mode 0600, unless --token gives one) and writes DIR/kubeconfig.yaml. The CA
is kept in the datastore encrypted with the token, so a further server needs only the token and
the same --datastore: it reads the CA from there. Agents join with the same token (or one from
\`kubesvc token create\`). A restart needs neither --cluster-init nor the token.

Flags:
${flagHelp(flags)}
`;

interface ServerOptions {
  dataDir: string;
  clusterInit: boolean;
  join?: URL;
  token?: string;
  datastore: string;
  apiPort: number;
  bindAddress: string;
  advertiseAddress: string;
  tlsSANs: { dns: string[]; ips: string[] };
  serviceCIDR: string;
  nodePortRange: { base: number; size: number };
  nodePortRangeText: string;
  clusterDomain: string;
  lbPool?: string;
  maxRequestsInFlight: number;
  maxMutatingRequestsInFlight: number;
  anonymousAuth: boolean;
  controlPlane: ReturnType<typeof parseControlPlaneFlags>;
}

/** The machine's first non-internal IPv4 address (what k3s advertises by default), else 127.0.0.1. */
function defaultAdvertiseAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function parseServerOptions(argv: string[]): ServerOptions | 'help' {
  const f = parseFlags(argv, flags);
  if (f.bools.has('help')) return 'help';
  if (f.positional.length) throw new UsageError(`server takes no arguments, got ${JSON.stringify(f.positional.join(' '))}`);
  const clusterInit = f.bools.has('cluster-init');
  const serverText = f.values.get('server');
  let join: URL | undefined;
  if (serverText !== undefined) {
    if (clusterInit) throw new UsageError('--cluster-init starts a new cluster and --server joins one: pass one of them');
    join = serverURLFlag(serverText, 'https://192.0.2.10:6443');
  }
  const token = tokenFlag(f.values);
  if (token !== undefined && !parseBootstrapToken(token)) {
    throw new UsageError('the token must be a bootstrap token, 6 and 16 characters of a-z and 0-9 joined by a dot (e.g. abcdef.0123456789abcdef; `kubesvc token create` prints one)');
  }
  if (join && token === undefined) throw new UsageError('--server needs the cluster token: --token TOKEN or --token-file PATH (DIR/token on the first server)');
  const datastore = f.values.get('datastore') ?? 'sqlite';
  if (join && !datastore.startsWith('etcd://')) {
    throw new UsageError('a joining server must use the datastore of the first one: --datastore etcd://host:port,... (SQLite is one machine\'s own)');
  }
  const tlsSANs = { dns: [] as string[], ips: [] as string[] };
  for (const san of f.lists.get('tls-san') ?? []) (isIPv4(san) ? tlsSANs.ips : tlsSANs.dns).push(san);
  const rangeText = f.values.get('service-node-port-range') ?? '30000-32767';
  const lbPool = f.values.get('lb-pool');
  return {
    dataDir: resolve((f.values.get('data-dir') ?? '~/.kubesvc').replace(/^~(?=$|\/)/, homedir())),
    clusterInit,
    ...(join ? { join } : {}),
    ...(token !== undefined ? { token } : {}),
    datastore,
    apiPort: portFlag(f, 'api-port', 6443),
    bindAddress: ipFlag(f.values, 'bind-address') ?? '0.0.0.0',
    advertiseAddress: ipFlag(f.values, 'advertise-address') ?? defaultAdvertiseAddress(),
    tlsSANs,
    serviceCIDR: checkCIDR('service-cidr', f.values.get('service-cidr') ?? '10.96.0.0/12'),
    nodePortRange: parsePortRangeFlag(rangeText),
    nodePortRangeText: rangeText,
    clusterDomain: f.values.get('cluster-domain') ?? 'cluster.local',
    ...(lbPool ? { lbPool } : {}),
    ...parseApiServingFlags(f),
    controlPlane: parseControlPlaneFlags(f.values),
  };
}

const isLoopback = (ip: string) => ip.startsWith('127.');

/**
 * Brings DIR/pki in line with the cluster in the datastore for `token`, or (a first server) makes
 * the cluster's CA and stores it there (publishSharedPki, once DIR/pki has it).
 */
async function settleClusterPki(o: ServerOptions, backend: Backend, token: string): Promise<void> {
  let stored;
  try {
    stored = await fetchSharedPki(backend, token);
  } catch (e) {
    if (e instanceof WrongTokenError) throw new UsageError(`${e.message}: pass the token of the first server (its DIR/token)`);
    throw e;
  }
  if (stored) {
    try {
      writeSharedPki(o.dataDir, stored);
    } catch (e) {
      throw new UsageError(errorText(e));
    }
    return;
  }
  if (o.join) {
    throw new UsageError(
      `the datastore ${o.datastore} holds no cluster for this token: the first server must run with --cluster-init on the same --datastore, ` +
        'and further servers need its token (its DIR/token)',
    );
  }
  // One cluster per datastore: a --cluster-init with a new token on a datastore that has one already
  // would mix two CAs over the same objects.
  const others = await backend.range('/bootstrap/', { limit: 1 });
  if (others.count > 0) {
    throw new UsageError(`the datastore ${o.datastore} already holds a cluster made with another token: join it with --server URL and its token, or use another datastore`);
  }
  if (!o.clusterInit && !readSharedPki(o.dataDir)) {
    throw new UsageError('no cluster here yet: start the first server with --cluster-init, or join one with --server URL --token TOKEN');
  }
}

/** A joining server checks that --server presents a certificate of the CA it read from the datastore. */
async function checkSameCluster(url: URL, caPem: string): Promise<void> {
  const outcome = await new Promise<'same' | 'other' | string>((done) => {
    const req = https.get({ host: url.hostname, port: url.port || 443, path: '/version', ca: caPem, timeout: 5000, checkServerIdentity: () => undefined }, (res) => {
      res.resume();
      done('same');
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', (e: NodeJS.ErrnoException) => done(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/.test(e.code ?? '') ? 'other' : (e.code ?? e.message)));
  });
  if (outcome === 'other') {
    throw new UsageError(`${url.origin} does not belong to the cluster in the datastore (its certificate is not signed by that cluster's CA): check --server and --datastore`);
  }
  if (outcome !== 'same') log.warn(`could not reach ${url.origin} (${outcome}); joining through the datastore alone`);
}

/** The token as a bootstrap-token Secret (never expiring), so agents can join with it too. */
async function registerToken(api: ApiServer, token: BootstrapToken): Promise<void> {
  const client = new LocalClient(api).as(identities.installer);
  try {
    await client.create(R.secrets, 'kube-system', bootstrapTokenSecret(token, { ttlSeconds: 0, description: 'kubesvc server token (joins servers and agents)' }));
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 409)) throw e;
    const cur = await client.get<Secret>(R.secrets, 'kube-system', `bootstrap-token-${token.id}`);
    if (secretValue(cur, tokenSecretKey) !== token.secret) log.warn(`the Secret bootstrap-token-${token.id} holds another token with this id: agents cannot join with the server token`);
  }
}

export async function server(argv: string[]): Promise<number> {
  const parsed = parseServerOptions(argv);
  if (parsed === 'help') {
    process.stdout.write(serverUsage);
    return 0;
  }
  const o = parsed;
  const t0 = performance.now();
  const signals = onStopSignals();
  const signal = signals.signal;
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const unlock = takeLock(o.dataDir);
  let backend: Backend | undefined;
  let api: ApiServer | undefined;
  let compactor: { stop(): void } | undefined;
  let components: { stop(): Promise<void> } | undefined;
  const stop = async () => {
    await api?.stopServing().catch((e) => log.error('draining the API server', e));
    await components?.stop();
    compactor?.stop();
    await api?.stop().catch((e) => log.error('stopping the API server', e));
    await backend?.close().catch((e) => log.error('closing the datastore', e));
    unlock();
  };
  try {
    allowLoopbackAddresses(isLoopback(o.serviceCIDR.split('/')[0]!) || isLoopback(o.advertiseAddress));
    const tokenPath = join(o.dataDir, 'token');
    const tokenText = o.token ?? (existsSync(tokenPath) ? readFileSync(tokenPath, 'utf8').trim() : o.clusterInit ? formatBootstrapToken(generateBootstrapToken()) : undefined);
    if (tokenText === undefined) {
      throw new UsageError(
        existsSync(join(o.dataDir, 'pki', 'ca.crt'))
          ? `${tokenPath} is missing: pass the cluster token with --token or --token-file`
          : 'no cluster here yet: start the first server with --cluster-init, or join one with --server URL --token TOKEN',
      );
    }
    const token = parseBootstrapToken(tokenText);
    if (!token) throw new UsageError(`${tokenPath} does not hold a bootstrap token (<6 chars>.<16 chars>)`);
    backend = openBackend(o.datastore, { dataDir: o.dataDir });
    await backend.start();
    throwIfStopped(signal);
    await settleClusterPki(o, backend, tokenText);
    const sans = {
      dns: [hostname().toLowerCase(), ...o.tlsSANs.dns],
      ips: [o.advertiseAddress, indexedIP(o.serviceCIDR, 1), ...(o.bindAddress !== '0.0.0.0' ? [o.bindAddress] : []), ...o.tlsSANs.ips],
    };
    const pki = await ensurePki(o.dataDir, { sans });
    const serviceAccountKey = await ensureServiceAccountKey(o.dataDir);
    if ((await publishSharedPki(backend, o.dataDir, tokenText)) === 'stored') log.info('stored the cluster CA in the datastore, encrypted with the token');
    writeFileSync(tokenPath, `${tokenText}\n`, { mode: 0o600 });
    chmodSync(tokenPath, 0o600);
    if (o.join) await checkSameCluster(o.join, pki.caCert);
    throwIfStopped(signal);
    compactor = startCompactor(backend, { intervalMs: 5 * 60_000, keepRevisions: 1000 });
    api = new ApiServer({
      backend,
      host: o.bindAddress,
      port: o.apiPort,
      tls: { cert: pki.servingCert, key: pki.servingKey, ca: pki.caCert },
      kubeletClient: { cert: pki.kubeletClientCert, key: pki.kubeletClientKey },
      serviceCIDR: o.serviceCIDR,
      nodePortRange: o.nodePortRange,
      advertiseAddress: o.advertiseAddress,
      limits: { maxRequestsInFlight: o.maxRequestsInFlight, maxMutatingRequestsInFlight: o.maxMutatingRequestsInFlight },
      serviceAccountLookup: true,
      serviceAccountKey,
      anonymousAuth: o.anonymousAuth,
      defaultTolerationSeconds: o.controlPlane.defaultTolerationSeconds,
    });
    await api.start();
    throwIfStopped(signal);
    await registerToken(api, token);
    components = await startControlPlaneComponents(api, {
      dataDir: o.dataDir,
      ...(o.lbPool ? { lbPool: o.lbPool } : {}),
      clusterDNS: indexedIP(o.serviceCIDR, 10),
      clusterDomain: o.clusterDomain,
      dns: { endpointIP: o.advertiseAddress, answerOnClusterIP: false, followAPIServers: true },
      leaderElection: o.controlPlane.leaderElection,
      nodeLifecycle: o.controlPlane.nodeLifecycle,
      clusterSigningDurationMs: o.controlPlane.clusterSigningDurationMs,
    });
    throwIfStopped(signal);
    await waitReady(api, 10_000, signal);
    // kubectl on this machine reaches the server where it listens; from elsewhere, at the advertised address.
    const host = o.bindAddress === '0.0.0.0' ? o.advertiseAddress : o.bindAddress;
    const url = `https://${host}:${api.port}`;
    const kubeconfig = join(o.dataDir, 'kubeconfig.yaml');
    writeKubeconfig(kubeconfig, { server: url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
    process.stdout.write(
      [
        `kubesvc server is ready (${((performance.now() - t0) / 1000).toFixed(2)}s)`,
        `  API server     ${url}`,
        `  kubeconfig     ${kubeconfig}`,
        `  token          ${tokenPath}`,
        `  datastore      ${o.datastore === 'sqlite' ? `sqlite (${join(o.dataDir, 'state.db')})` : o.datastore}`,
        `  service CIDR   ${o.serviceCIDR}`,
        `  cluster DNS    ${indexedIP(o.serviceCIDR, 10)} (kube-dns.kube-system; this server answers on ${o.advertiseAddress})`,
        '',
        'Join a node (on that machine):',
        `  kubesvc agent --server ${url} --token <the token in ${tokenPath}> --ca-cert-hash ${caCertHash(pki.caCert)}`,
        ...(o.datastore.startsWith('etcd://')
          ? ['Add a server (on that machine):', `  kubesvc server --server ${url} --token <the token in ${tokenPath}> --datastore ${o.datastore}`]
          : []),
        '',
      ].join('\n'),
    );
  } catch (e) {
    await stop();
    signals.dispose();
    if (e instanceof StartAborted) {
      log.info('stopped');
      return 0;
    }
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`${o.bindAddress}:${o.apiPort} is already in use: stop what uses it or pass another --api-port`);
    }
    throw e;
  }
  await signals.received;
  await stop();
  signals.dispose();
  log.info('stopped');
  return 0;
}
