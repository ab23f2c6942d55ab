// The Gateway API addon: the standard-channel CustomResourceDefinitions (manifests/gateway-api,
// Gateway API v1.6.1, converted to dist/manifests/gateway-api.json at build time) and the
// GatewayClass `kubesvc` of the built-in gateway controller, which runs in the ingress
// controller's pod. Installed as k3s installs its addons: what exists is left alone.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Client } from '../client/client.js';
import type { KubeObject } from '../api/meta.js';
import type { GatewayClass } from '../api/gateway.js';
import { R } from '../client/resources.js';
import { isAlreadyExists, isNotFound } from '../controllers/common/errors.js';
import { logger } from '../util/log.js';

const log = logger('addons');

export const kubesvcGatewayClassName = 'kubesvc';
export const kubesvcGatewayController = 'kubesvc.io/gateway-controller';

const crdRef = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false };

/** dist/manifests/gateway-api.json, seen from the bundle (dist/bundle/) or from tsc's output (dist/src/cli/). */
function manifestsFile(): string | undefined {
  for (const rel of ['../manifests/gateway-api.json', '../../manifests/gateway-api.json']) {
    const f = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(f)) return f;
  }
  return undefined;
}

export function kubesvcGatewayClass(): GatewayClass {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: kubesvcGatewayClassName },
    spec: { controllerName: kubesvcGatewayController, description: 'Served by the kube-system/kubesvc-ingress pod' },
  };
}

/**
 * Creates the CRDs that are missing, then the GatewayClass once they are served (the API server
 * establishes a new CRD within moments; this waits up to 30 s). Runs beside start-up, not before
 * it: the first start of a data dir should not wait on 400 KB of CRDs.
 */
export async function installGatewayAPI(installer: Client): Promise<void> {
  const file = manifestsFile();
  if (!file) {
    log.warn('the Gateway API CRDs are not built (dist/manifests/gateway-api.json): run `npm run build`');
    return;
  }
  const crds = JSON.parse(readFileSync(file, 'utf8')) as KubeObject[];
  for (const crd of crds) {
    try {
      await installer.get(crdRef, undefined, crd.metadata.name!);
      continue;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    try {
      await installer.create(crdRef, undefined, crd);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await installer.create(R.gatewayclasses, undefined, kubesvcGatewayClass());
      return;
    } catch (e) {
      if (isAlreadyExists(e)) return;
      // NotFound: the new CRDs are not served yet. Anything else (the cluster stopping) ends the wait.
      if (!isNotFound(e) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** installGatewayAPI in the background, its failure logged. */
export function startGatewayAPIInstall(installer: Client): Promise<void> {
  return installGatewayAPI(installer).catch((e: unknown) => log.error('installing the Gateway API', e));
}
