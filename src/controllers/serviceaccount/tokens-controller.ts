// The tokens controller (upstream's pkg/controller/serviceaccount/tokens_controller.go): a Secret
// of type kubernetes.io/service-account-token naming a ServiceAccount in its
// kubernetes.io/service-account.name annotation is filled with a legacy token for that account,
// the cluster CA (ca.crt) and its namespace, and annotated with the account's uid; a token Secret
// whose account is gone (or is another account of the same name) is deleted, and so are all of an
// account's token Secrets when the account is deleted; a deleted token Secret is taken out of its
// account's `secrets` list.
import type { Secret, ServiceAccount } from '../../api/core.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory } from '../../client/informer-types.js';
import { R } from '../../client/resources.js';
import { isNotFound } from '../common/errors.js';
import { QueueWorker } from '../common/queue-worker.js';

export const ServiceAccountTokenSecretType = 'kubernetes.io/service-account-token';
export const ServiceAccountNameKey = 'kubernetes.io/service-account.name';
export const ServiceAccountUIDKey = 'kubernetes.io/service-account.uid';

/** Mints a legacy token for an account and Secret (the API server's signing key; kube-controller-manager's --service-account-private-key-file). */
export type LegacyTokenGenerator = (sa: { namespace: string; name: string; uid: string }, secretName: string) => string;

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** IsServiceAccountToken: the Secret names this account, and its uid when it records one. */
function isTokenOf(secret: Secret, sa: { name: string; uid: string }): boolean {
  if (secret.type !== ServiceAccountTokenSecretType) return false;
  const a = secret.metadata.annotations ?? {};
  if (a[ServiceAccountNameKey] !== sa.name) return false;
  const uid = a[ServiceAccountUIDKey];
  return !uid || uid === sa.uid;
}

export class TokensController extends QueueWorker {
  private readonly accounts: Informer<ServiceAccount>;
  private readonly secrets: Informer<Secret>;
  /** Accounts seen deleted, by key: their tokens are deleted by uid. */
  private readonly deletedUIDs = new Map<string, string>();
  /** Token Secrets seen deleted, by namespace/name: the account (name, uid) that may still list them. */
  private readonly deletedSecrets = new Map<string, { name: string; uid: string }>();

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    private readonly generate: LegacyTokenGenerator,
    /** PEM of the cluster CA, for ca.crt. */
    private readonly rootCA: string,
  ) {
    super('tokens-controller');
    this.accounts = informers.informer<ServiceAccount>(R.serviceaccounts);
    this.secrets = informers.informer<Secret>(R.secrets);
    const secretKey = (s: Secret) => {
      if (s.type === ServiceAccountTokenSecretType) this.queue.add(`secret/${s.metadata.namespace}/${s.metadata.name}`);
    };
    this.secrets.addEventHandler({
      onAdd: secretKey,
      onUpdate: (_o, s) => secretKey(s),
      onDelete: (s) => {
        if (s.type !== ServiceAccountTokenSecretType) return;
        const a = s.metadata.annotations ?? {};
        this.deletedSecrets.set(`${s.metadata.namespace}/${s.metadata.name}`, { name: a[ServiceAccountNameKey] ?? '', uid: a[ServiceAccountUIDKey] ?? '' });
        secretKey(s);
      },
    });
    this.accounts.addEventHandler({
      onDelete: (sa) => {
        const key = `${sa.metadata.namespace}/${sa.metadata.name}`;
        this.deletedUIDs.set(key, sa.metadata.uid ?? '');
        this.queue.add(`serviceaccount/${key}`);
      },
      // An account made again under the same name: Secrets waiting for it may now be filled.
      onAdd: (sa) => {
        for (const s of this.secrets.lister.list(sa.metadata.namespace)) if (isTokenOf(s, { name: sa.metadata.name!, uid: sa.metadata.uid ?? '' })) secretKey(s);
      },
    });
  }

  protected override cachesToSync() {
    return [this.accounts, this.secrets];
  }

  async sync(key: string): Promise<void> {
    const [kind, namespace, name] = key.split('/') as [string, string, string];
    if (kind === 'serviceaccount') return this.syncServiceAccount(namespace, name);
    return this.syncSecret(namespace, name);
  }

  /** The account is gone: so are its tokens (only those naming its uid, or none). */
  private async syncServiceAccount(namespace: string, name: string): Promise<void> {
    const key = `${namespace}/${name}`;
    const uid = this.deletedUIDs.get(key) ?? '';
    const live = this.accounts.lister.get(namespace, name);
    if (live && live.metadata.uid === uid) return;
    for (const s of this.secrets.lister.list(namespace)) {
      if (isTokenOf(s, { name, uid })) await this.deleteSecret(s);
    }
    this.deletedUIDs.delete(key);
  }

  private async syncSecret(namespace: string, name: string): Promise<void> {
    const cached = this.secrets.lister.get(namespace, name);
    const deleted = this.deletedSecrets.get(`${namespace}/${name}`);
    if (!cached && deleted) {
      await this.removeSecretReference(namespace, deleted, name);
      this.deletedSecrets.delete(`${namespace}/${name}`);
      return;
    }
    if (!cached || cached.type !== ServiceAccountTokenSecretType || cached.metadata.deletionTimestamp) return;
    const a = cached.metadata.annotations ?? {};
    const saName = a[ServiceAccountNameKey] ?? '';
    const saUID = a[ServiceAccountUIDKey] ?? '';
    let sa = this.accounts.lister.get(namespace, saName);
    if (!sa) {
      // The cache may be behind a create that just happened: ask the server before deleting.
      try {
        sa = await this.client.get<ServiceAccount>(R.serviceaccounts, namespace, saName);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (!sa || (saUID && sa.metadata.uid !== saUID)) return this.deleteSecret(cached);
    if (!this.updateNeeded(cached)) return;
    let live: Secret;
    try {
      live = await this.client.get<Secret>(R.secrets, namespace, name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    // Our view is behind: the update event will bring us back.
    if (live.metadata.resourceVersion !== cached.metadata.resourceVersion || !this.updateNeeded(live)) return;
    const data = { ...(live.data ?? {}) };
    if (this.needsCA(live)) data['ca.crt'] = b64(this.rootCA);
    if (!data['namespace']) data['namespace'] = b64(namespace);
    if (!data['token']) data['token'] = b64(this.generate({ namespace, name: sa.metadata.name!, uid: sa.metadata.uid ?? '' }, name));
    live.data = data;
    live.metadata.annotations = { ...(live.metadata.annotations ?? {}), [ServiceAccountNameKey]: sa.metadata.name!, [ServiceAccountUIDKey]: sa.metadata.uid ?? '' };
    try {
      await this.client.update<Secret>(R.secrets, namespace, live);
    } catch (e) {
      // Deleted meanwhile: nothing to fill. A conflict is retried with the queue's backoff.
      if (!isNotFound(e)) throw e;
    }
  }

  /** removeSecretReference: the account (if it is still the same one) no longer lists the Secret. */
  private async removeSecretReference(namespace: string, account: { name: string; uid: string }, secretName: string): Promise<void> {
    let sa: ServiceAccount;
    try {
      sa = await this.client.get<ServiceAccount>(R.serviceaccounts, namespace, account.name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if ((account.uid && sa.metadata.uid !== account.uid) || !sa.secrets?.some((r) => r.name === secretName)) return;
    sa.secrets = sa.secrets.filter((r) => r.name !== secretName);
    try {
      await this.client.update<ServiceAccount>(R.serviceaccounts, namespace, sa);
    } catch (e) {
      // Gone meanwhile: nothing lists the Secret. A conflict is retried with the queue's backoff.
      if (!isNotFound(e)) throw e;
    }
  }

  private needsCA(s: Secret): boolean {
    return this.rootCA !== '' && s.data?.['ca.crt'] !== b64(this.rootCA);
  }

  private updateNeeded(s: Secret): boolean {
    return this.needsCA(s) || !s.data?.['namespace'] || !s.data?.['token'];
  }

  private async deleteSecret(s: Secret): Promise<void> {
    try {
      await this.client.delete(R.secrets, s.metadata.namespace, s.metadata.name!, { preconditions: { uid: s.metadata.uid! } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
