// kube-controller-manager and kube-scheduler as their binaries run them (--leader-elect, on by
// default): each campaigns for its Lease in kube-system (`kube-controller-manager`,
// `kube-scheduler`) and starts its controllers — on fresh informers — only while it leads; when
// it loses the Lease everything it started stops at once and it stands by again (upstream exits
// and lets its supervisor restart it). Everything goes through the Client it is given, so two
// processes on one datastore (`kubesvc server` twice) elect one of them.
import type { Client } from '../client/client.js';
import { EventRecorder } from '../client/events.js';
import { InformerFactoryImpl } from '../client/informer.js';
import type { InformerFactory } from '../client/informer-types.js';
import { defaultLeaderElectionTimings, LeaderElector, type LeaderElectionTimings } from '../client/leader-election.js';
import { errorText, logger } from '../util/log.js';
import { parseLBPool } from './servicelb/pool.js';
import { startControllers, startScheduler, type ControllerManagerOptions } from './manager.js';

const log = logger('controlplane');

export const leaderElectionNamespace = 'kube-system';

export interface LeaderElectionOptions extends LeaderElectionTimings {
  /** --leader-elect (default true): without it the controllers start at once. */
  leaderElect: boolean;
  /** holderIdentity; default `<hostname>_<uuid>`. */
  identity?: string;
}

export const defaultLeaderElection: LeaderElectionOptions = { leaderElect: true, ...defaultLeaderElectionTimings };

export interface Elected {
  /** True while this process leads (always, without --leader-elect once started). */
  isLeader(): boolean;
  stop(): Promise<void>;
}

/**
 * Runs `start` on fresh informers while this process holds the Lease `name`; the informers and
 * what `start` returned stop when it loses the Lease or is stopped.
 */
function runElected(
  client: Client,
  name: string,
  component: string,
  election: LeaderElectionOptions,
  start: () => { stop(): void },
): Elected {
  let running: { stop(): void } | undefined;
  const begin = (): void => {
    try {
      running = start();
    } catch (e) {
      log.error(`${name}: starting its controllers failed`, errorText(e));
    }
  };
  const end = (): void => {
    running?.stop();
    running = undefined;
  };
  if (!election.leaderElect) {
    begin();
    return {
      isLeader: () => running !== undefined,
      stop: async () => end(),
    };
  }
  const elector = new LeaderElector({
    client,
    namespace: leaderElectionNamespace,
    name,
    ...(election.identity ? { identity: election.identity } : {}),
    leaseDurationMs: election.leaseDurationMs,
    renewDeadlineMs: election.renewDeadlineMs,
    retryPeriodMs: election.retryPeriodMs,
    // A clean stop hands the Lease over at once (kube-scheduler's ReleaseOnCancel), so a restarted
    // `kubesvc up` or a standby server need not wait out the lease duration.
    releaseOnCancel: true,
    recorder: new EventRecorder(client, component),
    onStartedLeading: () => {
      log.info(`${name}: leading as ${elector.identity}`);
      begin();
    },
    onStoppedLeading: () => {
      log.info(`${name}: leaderelection lost`);
      end();
    },
    onNewLeader: (id) => {
      if (id !== elector.identity) log.info(`${name}: new leader elected: ${id}`);
    },
  });
  elector.run();
  return { isLeader: () => running !== undefined, stop: () => elector.stop() };
}

export interface ControllerManagerRunOptions extends Omit<ControllerManagerOptions, 'loadBalancerInformers' | 'scheduler'> {
  leaderElection?: Partial<LeaderElectionOptions>;
  /** The LoadBalancer controller's own client (its own identity); default: `client`. */
  loadBalancerClient?: Client;
}

/** kube-controller-manager under the `kube-controller-manager` Lease. */
export function runControllerManager(client: Client, opts: ControllerManagerRunOptions = {}): Elected {
  const { leaderElection, loadBalancerClient, ...controllerOpts } = opts;
  // A malformed --lb-pool fails here, before the campaign, not when this process comes to lead.
  if (controllerOpts.lbPool && controllerOpts.serviceLB !== false) parseLBPool(controllerOpts.lbPool);
  return runElected(client, 'kube-controller-manager', 'kube-controller-manager', { ...defaultLeaderElection, ...leaderElection }, () => {
    const informers = new InformerFactoryImpl(client);
    const lbInformers: InformerFactory | undefined = loadBalancerClient ? new InformerFactoryImpl(loadBalancerClient) : undefined;
    const controllers = startControllers(client, informers, { ...controllerOpts, scheduler: false, ...(lbInformers ? { loadBalancerInformers: lbInformers } : {}) });
    return {
      stop() {
        controllers.stop();
        informers.stop();
        lbInformers?.stop();
      },
    };
  });
}

export interface SchedulerRunOptions extends Pick<ControllerManagerOptions, 'binder'> {
  leaderElection?: Partial<LeaderElectionOptions>;
}

/** kube-scheduler under the `kube-scheduler` Lease. */
export function runScheduler(client: Client, opts: SchedulerRunOptions = {}): Elected {
  return runElected(client, 'kube-scheduler', 'default-scheduler', { ...defaultLeaderElection, ...opts.leaderElection }, () => {
    const informers = new InformerFactoryImpl(client);
    const scheduler = startScheduler(client, informers, opts.binder ? { binder: opts.binder } : {});
    return {
      stop() {
        scheduler.stop();
        informers.stop();
      },
    };
  });
}

export interface ControlPlaneRunOptions extends ControllerManagerRunOptions {
  /** The scheduler's own client (its identity); default: `client`. */
  schedulerClient?: Client;
}

/** What `kubesvc server` runs beside the API server: the controller manager and the scheduler, each elected on its own. */
export function runControlPlane(client: Client, opts: ControlPlaneRunOptions = {}): Elected {
  const { schedulerClient, binder, ...kcm } = opts;
  const controllers = runControllerManager(client, kcm);
  const scheduler = runScheduler(schedulerClient ?? client, { ...(binder ? { binder } : {}), ...(opts.leaderElection ? { leaderElection: opts.leaderElection } : {}) });
  return {
    isLeader: () => controllers.isLeader() && scheduler.isLeader(),
    async stop() {
      await Promise.all([controllers.stop(), scheduler.stop()]);
    },
  };
}
