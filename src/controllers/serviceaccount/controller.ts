// The ServiceAccounts controller (upstream's pkg/controller/serviceaccount): every active
// namespace has a ServiceAccount named "default", and gets it back when someone deletes it.
// A namespace is synced when it appears or changes and when its default account is changed or goes.
import type { ServiceAccount } from '../../api/core.js';
import type { Client } from '../../client/client.js';
import type { InformerFactory } from '../../client/informer-types.js';
import { R } from '../../client/resources.js';
import { isAlreadyExists, isNamespaceTerminating, isNotFound } from '../common/errors.js';
import { PerNamespaceWorker } from '../common/namespace-worker.js';

/** The accounts every namespace gets (upstream's DefaultServiceAccountsControllerOptions). */
export const DefaultServiceAccountName = 'default';

export class ServiceAccountsController extends PerNamespaceWorker<ServiceAccount> {
  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    private readonly names: string[] = [DefaultServiceAccountName],
  ) {
    super('serviceaccount-controller', informers, R.serviceaccounts, (sa) => names.includes(sa.metadata.name ?? ''));
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.lister.get(undefined, namespace);
    // Nothing is created in a namespace that is gone or terminating.
    if (!ns || ns.status?.phase !== 'Active' || ns.metadata.deletionTimestamp) return;
    for (const name of this.names) {
      if (this.kept.lister.get(namespace, name)) continue;
      try {
        await this.client.create<ServiceAccount>(R.serviceaccounts, namespace, {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name },
        });
      } catch (e) {
        // Someone made it meanwhile, or the namespace started to go: both settle the matter.
        if (isAlreadyExists(e) || isNotFound(e) || isNamespaceTerminating(e)) continue;
        throw e;
      }
    }
  }
}
