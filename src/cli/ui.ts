// `kubesvc ui`: prints the live view's address for a running cluster with a login in it. The login
// is a short-lived token (TokenRequest, 10 minutes, the shortest upstream allows) of the
// ServiceAccount kube-system/kubesvc-ui, which may only read what the view shows. The token rides
// in the URL's fragment, which browsers never send to a server or put in a Referer.
import { trafficPath } from '../apiserver/ui/traffic.js';
import https from 'node:https';
import { existsSync } from 'node:fs';
import { flagHelp, parseFlags, type FlagSpec, UsageError } from './flags.js';
import { resolveKubeconfig } from './proxy-state.js';
import { loadKubeconfig, type ClientCredentials } from '../client/kubeconfig.js';

const specs: FlagSpec[] = [
  { name: 'data-dir', metavar: 'DIR', help: 'the cluster\'s data dir (its kubeconfig.yaml is used)', default: '~/.kubesvc' },
  { name: 'kubeconfig', metavar: 'FILE', help: 'kubeconfig to use instead of DIR/kubeconfig.yaml' },
  { name: 'print-url', boolean: true, help: 'print the URL only (the default: no browser is opened)' },
  { name: 'help', boolean: true, help: 'show this help' },
];

export const uiUsage = `Usage: kubesvc ui [flags]

Prints the live view of a running cluster as a URL carrying a login that expires in 10 minutes
(a token of ServiceAccount kube-system/kubesvc-ui, allowed to get/list/watch Services,
EndpointSlices, Pods, Nodes and Events; created on first use). Open it in a browser.

Flags:
${flagHelp(specs)}
`;

export const uiAccount = { namespace: 'kube-system', name: 'kubesvc-ui' };
const tokenSeconds = 600;

const viewerRole = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'kubesvc-ui-viewer' },
  rules: [
    { apiGroups: [''], resources: ['services', 'pods', 'nodes', 'events'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    // What sits in front of Services: Ingresses and the Gateway API's routes.
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes', 'gateways'], verbs: ['get', 'list', 'watch'] },
    // What the proxies carried (the API server collects it from the kubelets).
    { nonResourceURLs: [trafficPath], verbs: ['get'] },
    // What each pod uses, as `kubectl top pod` reads it.
    { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['get', 'list'] },
  ],
};

function call(c: ClientCredentials, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ code: number; body: any }> {
  const url = new URL(path, c.server);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method, ca: c.ca, cert: c.cert, key: c.key,
      headers: { Accept: 'application/json', ...(payload ? { 'Content-Type': contentType, 'Content-Length': payload.length } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try { parsed = JSON.parse(text); } catch { /* plain text */ }
        resolve({ code: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Creates an object unless it exists (409 is fine: a previous `kubesvc ui` made it). */
async function ensure(c: ClientCredentials, path: string, obj: unknown): Promise<void> {
  const r = await call(c, 'POST', path, obj);
  if (r.code !== 201 && r.code !== 200 && r.code !== 409) throw new Error(`creating ${path}: ${r.code} ${r.body?.message ?? ''}`);
}

/** A token of the view's ServiceAccount and the URL that logs in with it. */
export async function uiLoginURL(kubeconfigPath: string): Promise<string> {
  const c = loadKubeconfig(kubeconfigPath);
  const { namespace, name } = uiAccount;
  await ensure(c, `/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  await ensure(c, '/apis/rbac.authorization.k8s.io/v1/clusterroles', viewerRole);
  // A role made by an older kubesvc gets this version's rules.
  const role = await call(c, 'PATCH', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${viewerRole.metadata.name}`, { rules: viewerRole.rules }, 'application/merge-patch+json');
  if (role.code !== 200) throw new Error(`updating the view's ClusterRole: ${role.code} ${role.body?.message ?? ''}`);
  await ensure(c, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'kubesvc-ui-viewer' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: viewerRole.metadata.name },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });
  const r = await call(c, 'POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: tokenSeconds },
  });
  const token = r.body?.status?.token;
  if (r.code !== 201 || typeof token !== 'string') throw new Error(`requesting a token: ${r.code} ${r.body?.message ?? ''}`);
  return `${c.server.replace(/\/$/, '')}/ui/#token=${encodeURIComponent(token)}`;
}

export async function uiCommand(argv: string[]): Promise<number> {
  const f = parseFlags(argv, specs);
  if (f.bools.has('help')) {
    process.stdout.write(uiUsage);
    return 0;
  }
  if (f.positional.length) throw new UsageError(`ui takes no arguments, got ${f.positional.join(' ')}`);
  const path = resolveKubeconfig(f.values.get('kubeconfig'), f.values.get('data-dir'));
  if (!existsSync(path)) throw new UsageError(`no kubeconfig at ${path}: start a cluster with \`kubesvc up\`, or pass --data-dir`);
  process.stdout.write(`${await uiLoginURL(path)}\n`);
  return 0;
}
