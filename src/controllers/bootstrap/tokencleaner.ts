// The token cleaner (upstream's pkg/controller/bootstrap/tokencleaner.go): a bootstrap token's
// Secret in kube-system is deleted once its expiration has passed, pinned to the uid it read so a
// token re-created meanwhile under the same id survives. One that has not expired yet is looked at
// again when it does.
import type { Secret } from '../../api/core.js';
import { bootstrapTokenNamespace, bootstrapTokenSecretType, expiresAt, hasExpired } from '../../api/bootstrap-token.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { isNotFound } from '../common/errors.js';
import { QueueWorker } from '../common/queue-worker.js';

export interface TokenCleanerOptions {
  queue?: WorkQueue<string>;
  now?: () => number;
}

const isBootstrapToken = (s: Secret) => s.metadata.namespace === bootstrapTokenNamespace && s.type === bootstrapTokenSecretType;

export class TokenCleaner extends QueueWorker {
  private readonly secrets: Informer<Secret>;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: TokenCleanerOptions = {},
  ) {
    super('token-cleaner', opts.queue);
    this.now = opts.now ?? Date.now;
    this.secrets = informers.informer<Secret>(R.secrets);
    const consider = (s: Secret) => {
      if (isBootstrapToken(s)) this.queue.add(metaNamespaceKey(s));
    };
    this.secrets.addEventHandler({ onAdd: consider, onUpdate: (_o, s) => consider(s), onDelete: () => {} });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const s = this.secrets.lister.get(namespace, name);
    if (!s || !isBootstrapToken(s) || s.metadata.deletionTimestamp) return;
    if (!hasExpired(s, this.now())) {
      const at = expiresAt(s);
      if (at !== undefined) this.queue.addAfter(key, Math.max(0, at - this.now()));
      return;
    }
    this.log.info(`deleting expired bootstrap token ${key}`);
    try {
      await this.client.delete(R.secrets, namespace, name, { preconditions: { uid: s.metadata.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
