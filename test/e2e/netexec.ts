// Workloads the netns tests and benchmarks share: agnhost netexec (HTTP /hostname, /clientip,
// /dial on 8080; UDP on 8081) as a Pod or a Deployment, ready once /healthz answers, and the
// Services in front of them. Written as objects; manifest() makes one stream for `kubectl apply -f -`.
const image = 'registry.k8s.io/e2e-test-images/agnhost:2.52';

function container(udp: boolean): Record<string, unknown> {
  return {
    name: 'netexec',
    image,
    args: ['netexec', '--http-port=8080', ...(udp ? ['--udp-port=8081'] : [])],
    readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 },
  };
}

/** One netexec pod labelled app=<name>, placed on a node. */
export function netexecPod(name: string, node: string, o: { udp?: boolean } = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: { nodeName: node, containers: [container(o.udp ?? true)] },
  };
}

/** A Deployment of netexec pods labelled app=<name>. */
export function netexecDeployment(name: string, replicas: number, o: { udp?: boolean } = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [container(o.udp ?? true)] } },
    },
  };
}

/** A Service selecting app=<selects> with an http port 80 → 8080 (and udp 81 → 8081 when asked). */
export function netexecService(name: string, o: { selects?: string; udp?: boolean; spec?: Record<string, unknown> } = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: {
      selector: { app: o.selects ?? name },
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        ...(o.udp ? [{ name: 'udp', port: 81, targetPort: 8081, protocol: 'UDP' }] : []),
      ],
      ...o.spec,
    },
  };
}

/** Objects as one stream for `kubectl apply -f -`: kubectl reads JSON objects one after another. */
export function manifest(...items: object[]): string {
  return items.map((o) => JSON.stringify(o)).join('\n');
}
