// TLS secure contexts made from kubernetes.io/tls Secrets, for the SNI callback of the routing
// core's HTTPS server. Made once per Secret version: a changed Secret (a renewed certificate) is
// read again on the next handshake, with no reload.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Secret } from '../../api/core.js';
import type { Lister } from '../../client/informer-types.js';
import { errorText, logger } from '../../util/log.js';

const log = logger('ingress');

export class TLSContexts {
  /** By `namespace/name@resourceVersion`. */
  private readonly contexts = new Map<string, SecureContext>();
  constructor(private readonly secrets: Lister<Secret>) {}

  /** The context of a Secret's tls.crt and tls.key; undefined when it is missing or unusable. */
  get(namespace: string, name: string): SecureContext | undefined {
    const secret = this.secrets.get(namespace, name);
    const cert = secret?.data?.['tls.crt'];
    const key = secret?.data?.['tls.key'];
    if (!secret || !cert || !key) return undefined;
    const id = `${namespace}/${name}@${secret.metadata.resourceVersion ?? ''}`;
    let ctx = this.contexts.get(id);
    if (!ctx) {
      try {
        ctx = createSecureContext({ cert: Buffer.from(cert, 'base64'), key: Buffer.from(key, 'base64') });
      } catch (e) {
        log.warn(`secret ${namespace}/${name}: not a usable certificate and key: ${errorText(e)}`);
        return undefined;
      }
      // Older versions of this Secret go.
      for (const k of this.contexts.keys()) if (k.startsWith(`${namespace}/${name}@`)) this.contexts.delete(k);
      this.contexts.set(id, ctx);
    }
    return ctx;
  }
}
