// What a request asks to do, in the authorizer's terms (upstream's RequestInfoFactory): a verb on a
// resource of an API group in a namespace, or a verb on a non-resource path. It is worked out from
// the request line alone, before routing, so an unknown resource is refused by name just as a
// known one is, and the answer does not tell a caller which resources exist.
import { parseFieldSelector } from '../../machinery/fields/selector.js';
import { queryBool } from '../http/params.js';

export interface RequestAttributes {
  isResourceRequest: boolean;
  /** The URL path, percent-decoded (as Go's URL.Path). */
  path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection; for non-resource requests the lowercase HTTP method. */
  verb: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** A list or watch's field selector as sent (the Node authorizer lets a node list only its own pods). */
  fieldSelector?: string;
}

/** Only these prefixes hold resources; `api` is the one without a group segment. */
const apiPrefixes = new Set(['api', 'apis']);
const grouplessAPIPrefixes = new Set(['api']);
/** `/api/v1/watch/...` and `/api/v1/proxy/...`: the verb is in the path. */
const specialVerbs = new Set(['proxy', 'watch']);
const specialVerbsNoSubresources = new Set(['proxy']);
/** `/api/v1/namespaces/<ns>/status` is the Namespace's subresource, not a resource called "status". */
const namespaceSubresources = new Set(['status', 'finalize']);

const methodVerbs: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** `requestTarget` is `req.url` as sent, not normalised: a `..` segment must not reach the parent here. */
export function requestAttributes(method: string, requestTarget: string): RequestAttributes {
  // An absolute-form target (`GET https://host/api HTTP/1.1`) names the same path as its origin form.
  const rawURL = requestTarget.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const q = rawURL.indexOf('?');
  const path = decodePath(q < 0 ? rawURL : rawURL.slice(0, q));
  const query = new URLSearchParams(q < 0 ? '' : rawURL.slice(q + 1));
  const a: RequestAttributes = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
  let parts = splitPath(path);
  if (parts.length < 3 || !apiPrefixes.has(parts[0]!)) return a;
  const prefix = parts[0]!;
  parts = parts.slice(1);
  if (!grouplessAPIPrefixes.has(prefix)) {
    if (parts.length < 3) return a; // /apis/<group>/<version>: discovery
    a.apiGroup = parts[0]!;
    parts = parts.slice(1);
  }
  a.isResourceRequest = true;
  a.apiVersion = parts[0]!;
  parts = parts.slice(1);

  if (specialVerbs.has(parts[0]!) && parts.length >= 2) {
    a.verb = parts[0]!;
    parts = parts.slice(1);
  } else {
    a.verb = methodVerbs[method.toUpperCase()] ?? '';
  }

  if (parts[0] === 'namespaces' && parts.length > 1) {
    a.namespace = parts[1]!;
    if (parts.length > 2 && !namespaceSubresources.has(parts[2]!)) parts = parts.slice(2);
  }
  // parts: resource/name/subresource/...
  a.resource = parts[0] ?? '';
  a.name = parts[1] ?? '';
  if (parts.length >= 3 && !specialVerbsNoSubresources.has(a.verb)) a.subresource = parts[2]!;

  if (a.name === '' && a.verb === 'get') {
    a.verb = queryBool(query.get('watch')) ? 'watch' : 'list';
    // `kubectl get svc web -w` lists and watches by field selector: the name is the object's.
    const selector = query.get('fieldSelector');
    if (selector) a.fieldSelector = selector;
    const name = exactName(selector);
    if (name !== undefined) a.name = name;
  }
  if (a.name === '' && a.verb === 'delete') a.verb = 'deletecollection';
  return a;
}

/** Go decodes the whole path before it is split, so an escaped `/` separates segments there too. */
function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // a malformed escape: the router answers it; the authorizer judges the path as sent
  }
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

/** The one object a list or watch selects by `metadata.name=`, which upstream authorizes as that name. */
export function exactName(selector: string | null | undefined): string | undefined {
  if (!selector) return undefined;
  let name: string | undefined;
  try {
    name = parseFieldSelector(selector).requiresExactMatch('metadata.name');
  } catch {
    return undefined; // upstream falls back to no name when the options do not parse
  }
  if (name === undefined || name === '' || name === '.' || name === '..' || /[/%]/.test(name)) return undefined;
  return name;
}
