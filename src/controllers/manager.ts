// kube-controller-manager in one call: starts the Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob,
// TTL-after-finished, garbage collector, node lifecycle, ServiceAccounts, tokens, ClusterRole aggregation and root CA
// publisher controllers, the Service networking controllers (EndpointSlice, Endpoints, EndpointSlice mirroring and the
// bare-metal LoadBalancer controller a cloud provider's service controller would be) and, unless left out, the
// scheduler, on shared informers. Workers start once the informers have synced, so no controller acts on a
// half-filled cache. control-plane.ts runs this (and the scheduler) under leader election.
import type { Client } from '../client/client.js';
import type { InformerFactory } from '../client/informer-types.js';
import { EventRecorder } from '../client/events.js';
import { Scheduler } from '../scheduler/scheduler.js';
import type { Binder } from '../scheduler/binder.js';
import { ClusterRoleAggregationController } from './clusterroleaggregation/controller.js';
import { DaemonSetController } from './daemonset/controller.js';
import { CronJobController } from './cronjob/controller.js';
import { DeploymentController } from './deployment/controller.js';
import { GarbageCollector } from './garbagecollector/controller.js';
import { JobController } from './job/controller.js';
import { NodeLifecycleController, type NodeLifecycleOptions } from './nodelifecycle/controller.js';
import type { EvictionRateOptions } from './nodelifecycle/zones.js';
import { ReplicaSetController } from './replicaset/controller.js';
import { RootCACertPublisher } from './rootcacertpublisher/publisher.js';
import { ServiceAccountsController } from './serviceaccount/controller.js';
import { TokensController, type LegacyTokenGenerator } from './serviceaccount/tokens-controller.js';
import { StatefulSetController } from './statefulset/controller.js';
import { TTLAfterFinishedController } from './ttlafterfinished/controller.js';
import { TokenCleaner } from './bootstrap/tokencleaner.js';
import { CSRApprovingController } from './certificates/approver.js';
import { CSRSigningController, type ClusterSigner } from './certificates/signer.js';
import { LocalPathProvisioner } from './volume/localpath/provisioner.js';
import { PersistentVolumeController } from './volume/persistentvolume/controller.js';
import { PVProtectionController } from './volume/protection/pv-protection.js';
import { PVCProtectionController } from './volume/protection/pvc-protection.js';
import { EndpointsController } from './endpoints/controller.js';
import { EndpointSliceController } from './endpointslice/controller.js';
import { EndpointSliceMirroringController } from './endpointslicemirroring/controller.js';
import { ServiceLBController } from './servicelb/controller.js';
import type { Recorder } from './common/recorder.js';
import type { Runnable } from './common/queue-worker.js';
import { logger, errorText } from '../util/log.js';

const log = logger('controllers');

export interface ControllerManagerOptions {
  /** Workers per controller (upstream's --concurrent-*-syncs; default 5). */
  workers?: number;
  nodeLifecycle?: Pick<NodeLifecycleOptions, 'gracePeriodMs' | 'monitorPeriodMs' | keyof EvictionRateOptions>;
  /** How the scheduler binds pods (default: a pods/binding create through the client). */
  binder?: Binder;
  /** Leave out the scheduler (e.g. when it runs as its own process). */
  scheduler?: boolean;
  /**
   * The client each controller acts through, by its ServiceAccount name in kube-system (upstream's
   * controller client builder with --use-service-account-credentials); default: `client` for all.
   */
  clientFor?: (serviceAccount: string) => Client;
  /** Event recorders by component (and the controller's ServiceAccount); default: EventRecorder on its client. */
  recorder?: (component: string, serviceAccount: string) => Recorder;
  /** PEM of the cluster CA: with it, the root CA publisher keeps kube-root-ca.crt in every namespace. */
  rootCA?: string;
  /** Signs with the cluster CA (--cluster-signing-cert-file/-key-file); without it no CSR is signed. */
  clusterSigning?: ClusterSigner;
  /** Signs legacy tokens: with it, the tokens controller fills service-account-token Secrets. */
  legacyTokens?: LegacyTokenGenerator;
  /** The local-path provisioner: where it makes volume directories, and the client it acts through (its own ServiceAccount's). */
  localPath?: { storageDir: string; client?: Client };
  /** --max-endpoints-per-slice (default 100). */
  maxEndpointsPerSlice?: number;
  /** --lb-pool (default 127.240.0.0/24); throws PoolParseError when malformed. */
  lbPool?: string;
  /** Leave out the LoadBalancer controller (e.g. when MetalLB runs instead). */
  serviceLB?: boolean;
  /** The LoadBalancer controller's own informers (it runs as its own identity); default: `informers`. */
  loadBalancerInformers?: InformerFactory;
}

/** The kube-system ServiceAccounts these controllers act as (with `clientFor`). */
export const controllerManagerServiceAccounts = [
  'replicaset-controller',
  'deployment-controller',
  'generic-garbage-collector',
  'node-controller',
  'service-account-controller',
  'clusterrole-aggregation-controller',
  'root-ca-cert-publisher',
  'statefulset-controller',
  'daemon-set-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'persistent-volume-binder',
  'pvc-protection-controller',
  'pv-protection-controller',
  'endpointslice-controller',
  'endpoint-controller',
  'endpointslicemirroring-controller',
  'token-cleaner',
  'certificate-controller',
];

export function startControllers(client: Client, informers: InformerFactory, opts: ControllerManagerOptions = {}): { stop(): void } {
  const workers = opts.workers ?? 5;
  const clientFor = opts.clientFor ?? (() => client);
  const recorder = opts.recorder ?? ((c: string, sa: string) => new EventRecorder(clientFor(sa), c));
  // First, so a malformed pool fails before anything starts.
  const lb =
    opts.serviceLB === false
      ? undefined
      : new ServiceLBController(clientFor('servicelb-controller'), opts.loadBalancerInformers ?? informers, {
          recorder: recorder('service-lb-controller', 'servicelb-controller'),
          ...(opts.lbPool ? { pool: opts.lbPool } : {}),
        });
  const rs = new ReplicaSetController(clientFor('replicaset-controller'), informers, { recorder: recorder('replicaset-controller', 'replicaset-controller') });
  const deploy = new DeploymentController(clientFor('deployment-controller'), informers, { recorder: recorder('deployment-controller', 'deployment-controller') });
  const gc = new GarbageCollector(clientFor('generic-garbage-collector'), informers);
  const nodes = new NodeLifecycleController(clientFor('node-controller'), informers, { ...opts.nodeLifecycle, recorder: recorder('node-controller', 'node-controller') });
  const sched = opts.scheduler === false ? undefined : new Scheduler(client, informers, { binder: opts.binder, recorder: opts.recorder?.('default-scheduler', '') ?? new EventRecorder(client, 'default-scheduler') });
  const accounts = new ServiceAccountsController(clientFor('service-account-controller'), informers);
  const aggregation = new ClusterRoleAggregationController(clientFor('clusterrole-aggregation-controller'), informers);
  const rootCA = opts.rootCA ? new RootCACertPublisher(clientFor('root-ca-cert-publisher'), informers, opts.rootCA) : undefined;
  const sts = new StatefulSetController(clientFor('statefulset-controller'), informers, { recorder: recorder('statefulset-controller', 'statefulset-controller') });
  const ds = new DaemonSetController(clientFor('daemon-set-controller'), informers, { recorder: recorder('daemonset-controller', 'daemon-set-controller') });
  const job = new JobController(clientFor('job-controller'), informers, { recorder: recorder('job-controller', 'job-controller') });
  const cronjob = new CronJobController(clientFor('cronjob-controller'), informers, { recorder: recorder('cronjob-controller', 'cronjob-controller') });
  const ttl = new TTLAfterFinishedController(clientFor('ttl-after-finished-controller'), informers);
  const tokenCleaner = new TokenCleaner(clientFor('token-cleaner'), informers);
  const csrApproving = new CSRApprovingController(clientFor('certificate-controller'), informers);
  const csrSigning = opts.clusterSigning ? new CSRSigningController(clientFor('certificate-controller'), informers, opts.clusterSigning) : undefined;
  const pvBinder = new PersistentVolumeController(clientFor('persistent-volume-binder'), informers, { recorder: recorder('persistentvolume-controller', 'persistent-volume-binder') });
  const pvcProtection = new PVCProtectionController(clientFor('pvc-protection-controller'), informers);
  const pvProtection = new PVProtectionController(clientFor('pv-protection-controller'), informers);
  const lp = opts.localPath;
  const localPath = lp
    ? new LocalPathProvisioner(lp.client ?? client, informers, { storageDir: lp.storageDir, recorder: new EventRecorder(lp.client ?? client, 'rancher.io/local-path') })
    : undefined;
  // Upstream's tokens controller runs with the controller manager's own credentials, not a ServiceAccount.
  const tokens = opts.legacyTokens ? new TokensController(client, informers, opts.legacyTokens, opts.rootCA ?? '') : undefined;
  const slices = new EndpointSliceController(clientFor('endpointslice-controller'), informers, {
    recorder: recorder('endpoint-slice-controller', 'endpointslice-controller'),
    ...(opts.maxEndpointsPerSlice ? { maxEndpointsPerSlice: opts.maxEndpointsPerSlice } : {}),
  });
  const endpoints = new EndpointsController(clientFor('endpoint-controller'), informers, { recorder: recorder('endpoint-controller', 'endpoint-controller') });
  const mirroring = new EndpointSliceMirroringController(clientFor('endpointslicemirroring-controller'), informers, {
    recorder: recorder('endpoint-slice-mirroring-controller', 'endpointslicemirroring-controller'),
  });
  const all: [Runnable, number][] = [
    ...[rs, deploy, sts, ds, job, cronjob, ttl, tokenCleaner, csrApproving, ...(csrSigning ? [csrSigning] : []), gc, nodes, accounts, aggregation, slices, endpoints, mirroring, pvBinder, pvcProtection, pvProtection, ...(localPath ? [localPath] : [])].map((c): [Runnable, number] => [c, workers]),
    ...(rootCA ? [[rootCA, workers] as [Runnable, number]] : []),
    ...(tokens ? [[tokens, workers] as [Runnable, number]] : []),
    ...(sched ? [[sched, 1] as [Runnable, number]] : []),
    // One worker: addresses are handed out one Service at a time, in the order they come.
    ...(lb ? [[lb, 1] as [Runnable, number]] : []),
  ];
  const factories = opts.loadBalancerInformers && lb ? [informers, opts.loadBalancerInformers] : [informers];
  return runWhenSynced(factories, all);
}

/** kube-scheduler on its own: its own client (its identity) and informers. */
export function startScheduler(client: Client, informers: InformerFactory, opts: Pick<ControllerManagerOptions, 'binder'> & { recorder?: Recorder } = {}): { stop(): void } {
  const sched = new Scheduler(client, informers, { binder: opts.binder, recorder: opts.recorder ?? new EventRecorder(client, 'default-scheduler') });
  return runWhenSynced([informers], [[sched, 1]]);
}

/** Starts the informers, and each controller with its worker count once all of them have synced. */
function runWhenSynced(factories: InformerFactory[], all: [Runnable, number][]): { stop(): void } {
  let stopped = false;
  for (const f of factories) f.start();
  Promise.all(factories.map((f) => f.waitForSync()))
    .then(() => {
      if (stopped) return;
      for (const [c, workers] of all) c.run(workers);
    })
    .catch((e: unknown) => log.error('informers did not sync', errorText(e)));
  return {
    stop() {
      stopped = true;
      for (const [c] of all) c.stop();
    },
  };
}
