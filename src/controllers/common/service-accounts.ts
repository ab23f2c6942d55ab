// The ServiceAccounts controllers run as, made sure of before they start, as kube-controller-
// manager's client builder does with --use-service-account-credentials (it creates a missing
// account in kube-system with its own credentials, then acts with the account's).
import type { ServiceAccount } from '../../api/core.js';
import type { Client } from '../../client/client.js';
import { R } from '../../client/resources.js';
import { isNotFound, StatusError } from '../../machinery/status.js';

export async function ensureServiceAccounts(client: Client, namespace: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    try {
      await client.get<ServiceAccount>(R.serviceaccounts, namespace, name);
      continue;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    try {
      await client.create<ServiceAccount>(R.serviceaccounts, namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
    } catch (e) {
      // Made meanwhile (another start of the same cluster): as good as ours.
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }
}
