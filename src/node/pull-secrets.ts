// A pod's imagePullSecrets as the image puller wants them: the `auths` of each
// kubernetes.io/dockerconfigjson (or legacy .dockercfg) Secret, decoded, in the pod's order. A
// missing or malformed Secret is skipped, as the kubelet only warns about it.
import type { Pod, Secret } from '../api/core.js';
import type { Client } from '../client/client.js';
import { R } from '../client/resources.js';
import { logger } from '../util/log.js';
import type { DockerConfigAuths } from './runtime/image-puller.js';

const log = logger('node');

export function decodeDockerConfig(secret: Secret): DockerConfigAuths | undefined {
  const data = secret.data ?? {};
  const json = data['.dockerconfigjson'] ?? data['.dockercfg'];
  if (!json) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(json, 'base64').toString('utf8')) as { auths?: DockerConfigAuths } & DockerConfigAuths;
    // .dockerconfigjson wraps the registries in "auths"; .dockercfg is the map itself.
    return data['.dockerconfigjson'] ? (parsed.auths ?? {}) : parsed;
  } catch {
    return undefined;
  }
}

export async function pullSecrets(client: Client, pod: Pod): Promise<DockerConfigAuths[]> {
  const out: DockerConfigAuths[] = [];
  for (const ref of pod.spec.imagePullSecrets ?? []) {
    if (!ref.name) continue;
    try {
      const auths = decodeDockerConfig(await client.get<Secret>(R.secrets, pod.metadata.namespace, ref.name));
      if (auths) out.push(auths);
    } catch (e) {
      log.warn(`pod ${pod.metadata.namespace}/${pod.metadata.name}: unable to retrieve pull secret ${ref.name}: ${(e as Error).message}`);
    }
  }
  return out;
}
