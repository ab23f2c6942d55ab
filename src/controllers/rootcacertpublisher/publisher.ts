// The root CA certificate publisher (upstream's pkg/controller/certificates/rootcacertpublisher):
// keeps a ConfigMap "kube-root-ca.crt" in every namespace whose key ca.crt is the CA bundle the
// API server's serving certificate chains to, so pods can verify kubernetes.default.svc. A copy
// someone deleted or edited is put back.
import type { ConfigMap } from '../../api/core.js';
import type { Client } from '../../client/client.js';
import type { InformerFactory } from '../../client/informer-types.js';
import { R } from '../../client/resources.js';
import { isNamespaceTerminating, isNotFound } from '../common/errors.js';
import { PerNamespaceWorker } from '../common/namespace-worker.js';

export const RootCACertConfigMapName = 'kube-root-ca.crt';
export const DescriptionAnnotation = 'kubernetes.io/description';
export const Description =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

export class RootCACertPublisher extends PerNamespaceWorker<ConfigMap> {
  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    /** PEM of the cluster CA. */
    private readonly rootCA: string,
  ) {
    super('root-ca-cert-publisher', informers, R.configmaps, (cm) => cm.metadata.name === RootCACertConfigMapName);
  }

  async sync(namespace: string): Promise<void> {
    const data = { 'ca.crt': this.rootCA };
    const cm = this.kept.lister.get(namespace, RootCACertConfigMapName);
    if (!cm) {
      try {
        await this.client.create<ConfigMap>(R.configmaps, namespace, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: RootCACertConfigMapName, annotations: { [DescriptionAnnotation]: Description } },
          data,
        });
      } catch (e) {
        // No retry for a namespace that is gone or going.
        if (isNotFound(e) || isNamespaceTerminating(e)) return;
        throw e;
      }
      return;
    }
    const same = Object.keys(cm.data ?? {}).length === 1 && cm.data?.['ca.crt'] === this.rootCA;
    if (same && cm.metadata.annotations?.[DescriptionAnnotation]) return;
    const next = structuredClone(cm);
    next.data = data;
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DescriptionAnnotation]: Description };
    await this.client.update<ConfigMap>(R.configmaps, namespace, next);
  }
}
