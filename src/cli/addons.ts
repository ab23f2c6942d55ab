// The classes `up` installs as k3s installs its addons: the default StorageClass `local-path`,
// served by the built-in local-path provisioner (controllers/volume/localpath), and the default
// IngressClass `kubesvc` (the GatewayClass `kubesvc` comes with the Gateway API CRDs, gateway-api.ts). A class that exists is left as it is; one the user deleted comes back at
// the next start, as k3s re-applies its addons.
import type { Client, ResourceRef } from '../client/client.js';
import type { KubeObject } from '../api/meta.js';
import { R } from '../client/resources.js';
import { isAlreadyExists } from '../controllers/common/errors.js';
import { localPathStorageClass } from '../controllers/volume/localpath/provisioner.js';
import { AnnotationIsDefaultIngressClass, type IngressClass } from '../api/networking.js';
import { kubesvcGatewayController } from './gateway-api.js';

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

async function createIfAbsent(installer: Client, ref: ResourceRef, obj: KubeObject, namespace?: string): Promise<void> {
  try {
    await installer.create(ref, namespace, obj);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

export async function installDefaultClasses(installer: Client): Promise<void> {
  await createIfAbsent(installer, R.storageclasses, localPathStorageClass());
  await createIfAbsent(installer, R.ingressclasses, kubesvcIngressClass());
}

/**
 * metrics-server's `system:aggregated-metrics-reader`, as its manifest installs it: kubesvc serves
 * metrics.k8s.io itself, and this lets the view, edit and admin roles (by aggregation) run
 * `kubectl top`.
 */
export async function installMetricsReader(installer: Client): Promise<void> {
  const aggregate = ['view', 'edit', 'admin'].map((r) => [`rbac.authorization.k8s.io/aggregate-to-${r}`, 'true']);
  await createIfAbsent(installer, R.clusterroles, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'system:aggregated-metrics-reader', labels: Object.fromEntries(aggregate) },
    rules: [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }],
  } as KubeObject);
}

/** Where the built-in ingress controller runs: kube-system/kubesvc-ingress (Deployment, Service, ServiceAccount). */
export const ingressControllerName = 'kubesvc-ingress';

/**
 * The built-in ingress controller as k3s installs Traefik: a Deployment of the `kubesvc.io/ingress`
 * image in kube-system under its own ServiceAccount, with the RBAC ingress-nginx's chart grants, and
 * a LoadBalancer Service in front (its pool IP goes into every Ingress's status). `ports` are where it
 * serves HTTP and HTTPS, on the pod and the Service: 80 and 443, or high ones where those cannot be bound.
 */
export async function installIngressController(installer: Client, ports: { http: number; https: number }): Promise<void> {
  const ns = 'kube-system';
  const name = ingressControllerName;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'controller' };
  await createIfAbsent(installer, R.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns, labels } }, ns);
  await createIfAbsent(installer, R.clusterroles, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `kubesvc:${name}`, labels },
    rules: [
      { apiGroups: [''], resources: ['services', 'secrets', 'configmaps'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingressclasses'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update', 'patch'] },
      // The Gateway API side, as Gateway API implementations' charts grant it.
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['gateway.networking.k8s.io'], resources: ['gatewayclasses', 'gateways', 'httproutes', 'referencegrants'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['gateway.networking.k8s.io'], resources: ['gatewayclasses/status', 'gateways/status', 'httproutes/status'], verbs: ['update', 'patch'] },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    ],
  } as KubeObject);
  await createIfAbsent(installer, R.clusterrolebindings, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `kubesvc:${name}`, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `kubesvc:${name}` },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
  } as KubeObject);
  await createIfAbsent(installer, R.services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels },
    spec: {
      type: 'LoadBalancer',
      selector: labels,
      ports: [
        { name: 'http', port: ports.http, targetPort: 'http' as unknown as number, protocol: 'TCP' },
        { name: 'https', port: ports.https, targetPort: 'https' as unknown as number, protocol: 'TCP' },
      ],
    },
  } as KubeObject, ns);
  await createIfAbsent(installer, R.deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        // Where its request counters are, as ingress-nginx's chart announces them: the live view reads them.
        metadata: { labels, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '10254' } },
        spec: {
          serviceAccountName: name,
          containers: [
            {
              name: 'controller',
              image: 'kubesvc.io/ingress',
              args: [
                `--http-port=${ports.http}`,
                `--https-port=${ports.https}`,
                `--publish-service=${ns}/${name}`,
                `--ingress-class=${kubesvcIngressClassName}`,
                `--gateway-controller-name=${kubesvcGatewayController}`,
              ],
              ports: [
                { name: 'http', containerPort: ports.http, protocol: 'TCP' },
                { name: 'https', containerPort: ports.https, protocol: 'TCP' },
                { name: 'metrics', containerPort: 10254, protocol: 'TCP' },
              ],
              readinessProbe: { httpGet: { path: '/healthz', port: 10254 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  } as KubeObject, ns);
  // A controller made by an older kubesvc gets what the live view reads (its metrics announced); a
  // patch that changes nothing leaves the Deployment, and its pod, as they are.
  await installer.patch(R.deployments, ns, name, 'strategic', {
    spec: {
      template: {
        metadata: { annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '10254' } },
        spec: { containers: [{ name: 'controller', ports: [{ name: 'metrics', containerPort: 10254, protocol: 'TCP' }] }] },
      },
    },
  });
}
