// The ClusterRole aggregation controller (upstream's pkg/controller/clusterroleaggregation):
// a ClusterRole with an aggregationRule gets the rules of the ClusterRoles its selectors match.
// Any ClusterRole change re-queues every aggregated role (upstream does the same: a label or
// rule change anywhere may change any aggregation), and a write to an aggregated role re-queues
// the others, so nested aggregation (view into edit into admin) settles.
import type { ClusterRole } from '../../api/rbac.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory } from '../../client/informer-types.js';
import { R } from '../../client/resources.js';
import { aggregatedRules } from '../../apiserver/auth/aggregation.js';
import { deepEqual } from '../../apiserver/store/deep-equal.js';
import { isNotFound } from '../common/errors.js';
import { QueueWorker } from '../common/queue-worker.js';

export class ClusterRoleAggregationController extends QueueWorker {
  private readonly roles: Informer<ClusterRole>;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
  ) {
    super('clusterrole-aggregation-controller');
    this.roles = informers.informer<ClusterRole>(R.clusterroles);
    const enqueueAggregated = (): void => {
      for (const r of this.roles.lister.list()) if (r.aggregationRule) this.queue.add(r.metadata.name!);
    };
    this.roles.addEventHandler({ onAdd: enqueueAggregated, onUpdate: enqueueAggregated, onDelete: enqueueAggregated });
  }

  async sync(name: string): Promise<void> {
    const role = this.roles.lister.get(undefined, name);
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, this.roles.lister.list());
    if (deepEqual(rules, role.rules ?? [])) return;
    const next = structuredClone(role);
    next.rules = rules;
    try {
      await this.client.update<ClusterRole>(R.clusterroles, undefined, next);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  protected override cachesToSync() {
    return [this.roles];
  }
}
