// The classes `up` installs as k3s installs its addons: the default StorageClass `local-path`,
// served by the built-in local-path provisioner (controllers/volume/localpath), and the default
// IngressClass `kubesvc`. A class that exists is left as it is; one the user deleted comes back at
// the next start, as k3s re-applies its addons.
import type { Client, ResourceRef } from '../client/client.js';
import type { KubeObject } from '../api/meta.js';
import { R } from '../client/resources.js';
import { isAlreadyExists } from '../controllers/common/errors.js';
import { localPathStorageClass } from '../controllers/volume/localpath/provisioner.js';
import { AnnotationIsDefaultIngressClass, type IngressClass } from '../api/networking.js';

/** The IngressClass of the built-in ingress controller (DESIGN.md: the cluster's default class). */
export const kubesvcIngressClassName = 'kubesvc';
export const kubesvcIngressController = 'kubesvc.io/ingress';

export function kubesvcIngressClass(): IngressClass {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: kubesvcIngressClassName, annotations: { [AnnotationIsDefaultIngressClass]: 'true' } },
    spec: { controller: kubesvcIngressController },
  };
}

async function createIfAbsent(installer: Client, ref: ResourceRef, obj: KubeObject): Promise<void> {
  try {
    await installer.create(ref, undefined, obj);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

export async function installDefaultClasses(installer: Client): Promise<void> {
  await createIfAbsent(installer, R.storageclasses, localPathStorageClass());
  await createIfAbsent(installer, R.ingressclasses, kubesvcIngressClass());
}
