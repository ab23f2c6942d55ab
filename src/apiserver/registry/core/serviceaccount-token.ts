// serviceaccounts/token (upstream's pkg/registry/core/serviceaccount/storage TokenREST): POST an
// authentication.k8s.io/v1 TokenRequest and get it back with a signed token in status. Nothing is
// stored, so a dry run answers the same (upstream does too). The bound object, when named, must
// exist (and have the given uid); a pod must run as this ServiceAccount.
import type { KubeObject } from '../../../api/meta.js';
import type { Pod } from '../../../api/core.js';
import { fieldErr, Path, type FieldError } from '../../../machinery/field.js';
import { errors } from '../../../machinery/status.js';
import { decodeRequestObject } from '../../http/typed-body.js';
import { boundClaims, expirationExtensionSeconds, warnOnlyBoundTokenExpirationSeconds, type ObjectRef, type ServiceAccountTokens } from '../../auth/serviceaccount/index.js';
import { nowTimestamp } from '../../store/context.js';
import type { Store } from '../../store/store.js';
import type { RegistryDeps, SubresourceREST } from '../entry.js';

const group = 'authentication.k8s.io';
const kind = 'TokenRequest';
const gvk = { group, version: 'v1', kind };

export interface TokenRequest extends KubeObject {
  spec?: {
    audiences?: string[] | null;
    expirationSeconds?: number | null;
    boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null;
  };
  status?: { token: string; expirationTimestamp: string };
}

/** SetDefaults_TokenRequestSpec: an hour unless asked otherwise. */
const defaultExpirationSeconds = 3600;

/** ValidateTokenRequest: at least 10 minutes, at most 2^32 seconds. */
export function validateTokenRequest(tr: TokenRequest): FieldError[] {
  const errs: FieldError[] = [];
  const exp = tr.spec?.expirationSeconds ?? defaultExpirationSeconds;
  const path = Path.root('spec').child('expirationSeconds');
  if (exp < 10 * 60) errs.push(fieldErr.invalid(path, exp, 'may not specify a duration less than 10 minutes'));
  if (exp > 2 ** 32) errs.push(fieldErr.invalid(path, exp, 'may not specify a duration larger than 2^32 seconds'));
  return errs;
}

function decodeTokenRequest(body: unknown): TokenRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest("Object 'Kind' is missing");
  const b = body as Record<string, unknown>;
  const tr = decodeRequestObject(gvk, b, JSON.stringify(b)) as TokenRequest;
  if (tr.apiVersion !== undefined && tr.apiVersion !== '' && tr.apiVersion !== `${group}/v1`) {
    throw errors.badRequest(`the API version in the data (${tr.apiVersion}) does not match the expected API version (${group}/v1)`);
  }
  if (tr.kind !== undefined && tr.kind !== '' && tr.kind !== kind) {
    throw errors.badRequest(`the kind in the data (${tr.kind}) does not match the expected kind (${kind})`);
  }
  return tr;
}

/** The live object a store holds, or upstream's 404 for it. */
async function live(store: Store, namespace: string | undefined, name: string): Promise<KubeObject> {
  return (await store.get(namespace, name)).obj;
}

export function tokenREST(deps: RegistryDeps, tokens: ServiceAccountTokens): SubresourceREST {
  return {
    async create(_ctx, namespace, name, body) {
      const req = decodeTokenRequest(body);
      if (namespace === undefined) throw errors.badRequest('namespace is required');
      const meta = req.metadata ?? {};
      if (meta.name && meta.name !== name) {
        throw errors.invalid(group, kind, name, [fieldErr.invalid(Path.root('metadata').child('name'), meta.name, 'must match the service account name if specified')]);
      }
      if (meta.namespace && meta.namespace !== namespace) {
        throw errors.invalid(group, kind, name, [fieldErr.invalid(Path.root('metadata').child('namespace'), meta.namespace, 'must match the service account namespace if specified')]);
      }
      const sa = await live(deps.store('', 'serviceaccounts'), namespace, name);
      // Every spec field is printed, as Go prints TokenRequestSpec (none is omitempty).
      const spec = { boundObjectRef: null, ...(req.spec ?? {}) };
      if (!spec.audiences?.length) spec.audiences = tokens.apiAudiences;
      spec.expirationSeconds ??= defaultExpirationSeconds;
      const now = new Date();
      const out: TokenRequest = {
        kind,
        apiVersion: `${group}/v1`,
        metadata: { ...meta, name: meta.name || name, namespace: meta.namespace || namespace, creationTimestamp: nowTimestamp(now) },
        spec,
      };
      const errs = validateTokenRequest(out);
      if (errs.length) throw errors.invalid(group, kind, '', errs);

      let pod: ObjectRef | undefined;
      let secret: ObjectRef | undefined;
      let node: ObjectRef | undefined;
      const ref = spec.boundObjectRef;
      if (ref) {
        const refGroup = (ref.apiVersion ?? '').includes('/') ? ref.apiVersion!.slice(0, ref.apiVersion!.indexOf('/')) : '';
        const refName = ref.name ?? '';
        let uid: string;
        if (refGroup === '' && ref.kind === 'Pod') {
          const p = (await live(deps.store('', 'pods'), namespace, refName)) as Pod;
          if (name !== (p.spec.serviceAccountName ?? '')) {
            throw errors.badRequest(`cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with serviceaccount ${JSON.stringify(p.spec.serviceAccountName ?? '')}`);
          }
          uid = p.metadata.uid ?? '';
          pod = { name: refName, uid };
          // The pod's node is named too (ServiceAccountTokenPodNodeInfo), when it still exists.
          if (p.spec.nodeName) {
            const n = await deps.store('', 'nodes').find(undefined, p.spec.nodeName);
            if (n) node = { name: p.spec.nodeName, uid: n.obj.metadata.uid ?? '' };
          }
        } else if (refGroup === '' && ref.kind === 'Node') {
          const n = await live(deps.store('', 'nodes'), undefined, refName);
          uid = n.metadata.uid ?? '';
          node = { name: refName, uid };
        } else if (refGroup === '' && ref.kind === 'Secret') {
          const s = await live(deps.store('', 'secrets'), namespace, refName);
          uid = s.metadata.uid ?? '';
          secret = { name: refName, uid };
        } else {
          throw errors.badRequest(`cannot bind token to object of type ${goGroupVersionKind(ref.apiVersion ?? '', ref.kind ?? '')}`);
        }
        if (ref.uid && uid !== ref.uid) {
          throw errors.conflict(
            { group: refGroup, resource: ref.kind! },
            refName,
            `the UID in the bound object reference (${ref.uid}) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
          );
        }
      }

      // A pod-bound token of kubelet's default lifetime for the API gets a year, with a warning
      // after the hour asked for (--service-account-extend-token-expiration, on by default).
      let exp = spec.expirationSeconds;
      let warnAfter: number | undefined;
      if (pod && exp === warnOnlyBoundTokenExpirationSeconds && spec.audiences.every((a) => tokens.apiAudiences.includes(a))) {
        warnAfter = exp;
        exp = expirationExtensionSeconds;
      }
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const claims = boundClaims({
        issuer: tokens.issuer,
        serviceAccount: { namespace, name, uid: sa.metadata.uid ?? '' },
        ...(pod ? { pod } : {}),
        ...(secret ? { secret } : {}),
        ...(node ? { node } : {}),
        audiences: spec.audiences,
        expirationSeconds: exp,
        ...(warnAfter ? { warnAfterSeconds: warnAfter } : {}),
        now: nowSeconds,
      });
      out.status = {
        token: tokens.sign(claims),
        expirationTimestamp: nowTimestamp(new Date(now.getTime() + spec.expirationSeconds * 1000)),
      };
      return out;
    },
  };
}

/** schema.GroupVersionKind.String(): `/v1, Kind=ConfigMap`, `apps/v1, Kind=Deployment`. */
function goGroupVersionKind(apiVersion: string, k: string): string {
  const i = apiVersion.indexOf('/');
  const [g, v] = i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
  return `${g}/${v}, Kind=${k}`;
}
