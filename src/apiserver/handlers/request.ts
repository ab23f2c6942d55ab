// One request on a resource, whichever way it came: the HTTP handler builds it from the URL, the
// in-process client from its arguments (its options turned into the query an HTTP client would
// send), and both hand it to the verbs in ./verbs.ts, so the two run the same code.
import type { UserInfo } from '../auth/user.js';
import type { ResourceStorage } from '../storage-map.js';
import { newContext, type RequestContext } from '../store/context.js';
import { Params } from '../http/params.js';
import { managerFromUserAgent } from '../../machinery/fieldmanager/index.js';

export interface ResourceRequest {
  storage: ResourceStorage;
  /** From the path; undefined for cluster-scoped resources and all-namespace lists. */
  namespace?: string;
  name?: string;
  subresource?: string;
  query: Params;
  /** The authenticated user, when known. */
  user?: string;
  /** Who the request acts as, when it came over HTTP. */
  userInfo?: UserInfo;
  /** The client's User-Agent: a write without ?fieldManager= is recorded in managedFields under its name. */
  userAgent?: string;
}

export function resourceRequest(storage: ResourceStorage, parts: { namespace?: string | undefined; name?: string | undefined; subresource?: string | undefined }, query: URLSearchParams | Params): ResourceRequest {
  const r: ResourceRequest = { storage, query: query instanceof Params ? query : new Params(query) };
  if (storage.entry.info.namespaced && parts.namespace !== undefined) r.namespace = parts.namespace;
  if (parts.name !== undefined) r.name = parts.name;
  if (parts.subresource !== undefined) r.subresource = parts.subresource;
  return r;
}

export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

/** The request's context: dryRun and fieldValidation from the query (400s when malformed), fieldManager checked for writes. */
export function requestContext(req: ResourceRequest, optionsKind?: OptionsKind): RequestContext {
  const p = req.query;
  const ctx = newContext({ dryRun: p.dryRun(), fieldValidation: p.fieldValidation() });
  if (req.namespace !== undefined) ctx.namespace = req.namespace;
  if (req.user !== undefined) ctx.user = req.user;
  if (req.userInfo !== undefined) ctx.userInfo = req.userInfo;
  if (optionsKind) {
    p.checkFieldManager(optionsKind);
    ctx.fieldManager = p.str('fieldManager') || managerFromUserAgent(req.userAgent);
  }
  return ctx;
}
