// kube-controller-manager and kube-scheduler in one call: starts the Deployment, ReplicaSet, StatefulSet, DaemonSet,
// Job, CronJob, TTL-after-finished, garbage collector, node lifecycle, ServiceAccounts, tokens, ClusterRole aggregation
// and root CA publisher controllers and the
// scheduler on shared informers.
// Workers start once the informers have synced, so no controller acts on a half-filled cache.
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
import { ReplicaSetController } from './replicaset/controller.js';
import { RootCACertPublisher } from './rootcacertpublisher/publisher.js';
import { ServiceAccountsController } from './serviceaccount/controller.js';
import { TokensController, type LegacyTokenGenerator } from './serviceaccount/tokens-controller.js';
import { StatefulSetController } from './statefulset/controller.js';
import { TTLAfterFinishedController } from './ttlafterfinished/controller.js';
import type { Recorder } from './common/recorder.js';
import { logger, errorText } from '../util/log.js';

const log = logger('controllers');

export interface ControllerManagerOptions {
  /** Workers per controller (upstream's --concurrent-*-syncs; default 5). */
  workers?: number;
  nodeLifecycle?: Pick<NodeLifecycleOptions, 'gracePeriodMs' | 'monitorPeriodMs' | 'podEvictionTimeoutMs'>;
  /** How the scheduler binds pods (default: a pods/binding create through the client). */
  binder?: Binder;
  /** Leave out the scheduler (e.g. when it runs as its own process). */
  scheduler?: boolean;
  /** Event recorders by component; default: EventRecorder on the client. */
  recorder?: (component: string) => Recorder;
  /** PEM of the cluster CA: with it, the root CA publisher keeps kube-root-ca.crt in every namespace. */
  rootCA?: string;
  /** Signs legacy tokens: with it, the tokens controller fills service-account-token Secrets. */
  legacyTokens?: LegacyTokenGenerator;
}

export function startControllers(client: Client, informers: InformerFactory, opts: ControllerManagerOptions = {}): { stop(): void } {
  const workers = opts.workers ?? 5;
  const recorder = opts.recorder ?? ((c: string) => new EventRecorder(client, c));
  const rs = new ReplicaSetController(client, informers, { recorder: recorder('replicaset-controller') });
  const deploy = new DeploymentController(client, informers, { recorder: recorder('deployment-controller') });
  const gc = new GarbageCollector(client, informers);
  const sts = new StatefulSetController(client, informers, { recorder: recorder('statefulset-controller') });
  const ds = new DaemonSetController(client, informers, { recorder: recorder('daemonset-controller') });
  const nodes = new NodeLifecycleController(client, informers, { ...opts.nodeLifecycle, recorder: recorder('node-controller') });
  const sched = opts.scheduler === false ? undefined : new Scheduler(client, informers, { binder: opts.binder, recorder: recorder('default-scheduler') });
  const accounts = new ServiceAccountsController(client, informers);
  const aggregation = new ClusterRoleAggregationController(client, informers);
  const rootCA = opts.rootCA ? new RootCACertPublisher(client, informers, opts.rootCA) : undefined;
  const tokens = opts.legacyTokens ? new TokensController(client, informers, opts.legacyTokens, opts.rootCA ?? '') : undefined;
  const job = new JobController(client, informers, { recorder: recorder('job-controller') });
  const cronjob = new CronJobController(client, informers, { recorder: recorder('cronjob-controller') });
  const ttl = new TTLAfterFinishedController(client, informers);
  const all = [rs, deploy, sts, ds, job, cronjob, ttl, gc, nodes, accounts, aggregation, ...(rootCA ? [rootCA] : []), ...(tokens ? [tokens] : []), ...(sched ? [sched] : [])];
  let stopped = false;
  informers.start();
  informers
    .waitForSync()
    .then(() => {
      if (stopped) return;
      for (const c of all) c.run(workers);
    })
    .catch((e: unknown) => log.error('informers did not sync', errorText(e)));
  return {
    stop() {
      stopped = true;
      for (const c of all) c.stop();
    },
  };
}
