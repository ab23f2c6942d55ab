// /openapi/v2 and /openapi/v3[/<group-version>]: kubectl reads these for apply's merge keys,
// explain, and to learn that the server validates fields itself (fieldValidation). kubectl asks
// for v2 only as gnostic protobuf (client-side validation of `kind: List`, explain's v2 output).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Built, BuiltProto, ServedResource } from '../openapi/index.js';
import type { Registry } from '../registry/registry.js';
import { StatusError } from '../../machinery/status.js';
import { sendRaw } from './respond.js';

// The documents are built on first use: kubectl asks for them only for apply and explain, and
// building them at start-up would cost every `kubesvc up`.
let openapi: Promise<typeof import('../openapi/index.js')> | undefined;

// kubectl asks for the "@v1.0" spelling, but '@' is not allowed in a media type token and
// client-go rejects such a Content-Type (`mime: unexpected content after media subtype`); upstream's
// kube-openapi handler accepts both spellings and always answers with the ".v1.0" one.
const V2_PROTO = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const V2_PROTO_TYPES = new Set([V2_PROTO, 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf']);

/**
 * Whether an Accept header picks the protobuf v2 document: the first media range (in the order
 * given, q-values ignored — clients send one type here) that is either protobuf or JSON decides.
 * Anything else, and no Accept at all, keeps the JSON answer we always gave.
 */
export function wantsV2Proto(accept: string | undefined): boolean {
  for (const range of (accept ?? '').split(',')) {
    const type = range.split(';')[0]!.trim().toLowerCase();
    if (V2_PROTO_TYPES.has(type)) return true;
    if (type === 'application/json' || type === 'application/*' || type === '*/*') return false;
  }
  return false;
}

export class OpenAPIRoutes {
  private served: { generation: number; resources: ServedResource[] } | undefined;

  constructor(private readonly registry: Registry) {}

  /** The registry's current resources; the same array while the registry does not change, so the built documents are reused. */
  private resources(): ServedResource[] {
    if (this.served?.generation !== this.registry.generation) {
      const resources = this.registry.infos().map((r) => ({
        group: r.group,
        version: r.version,
        resource: r.resource,
        kind: r.kind,
        namespaced: r.namespaced,
        subresources: r.subresources,
        verbs: r.verbs,
        ...(r.openapi ? { openapi: r.openapi } : {}),
      }));
      this.served = { generation: this.registry.generation, resources };
    }
    return this.served.resources;
  }

  async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const m = await (openapi ??= import('../openapi/index.js'));
    const served = this.resources();
    const path = url.pathname.replace(/\/+$/, '');
    let built: Built | undefined;
    let proto: BuiltProto | undefined;
    if (path === '/openapi/v2') {
      // The two representations share a URL, so tell HTTP caches (client-go keeps one on disk)
      // that the answer depends on Accept; each has its own ETag, as upstream's.
      res.setHeader('Vary', 'Accept');
      if (wantsV2Proto(req.headers.accept)) proto = m.openapiV2ProtoBuilt(served);
      else built = m.openapiV2Built(served);
    } else if (path === '/openapi/v3') built = m.openapiV3RootBuilt(served);
    else if (path.startsWith('/openapi/v3/')) built = m.openapiV3DocBuilt(path.slice('/openapi/v3/'.length), served);
    const hash = proto?.hash ?? built?.hash;
    if (hash === undefined) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const etag = `"${hash}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag });
      res.end();
      return;
    }
    res.setHeader('ETag', etag);
    // A request that pins the hash may be cached for long, as upstream allows.
    if (url.searchParams.has('hash')) res.setHeader('Cache-Control', 'public, immutable');
    if (proto) {
      res.writeHead(200, { 'Content-Type': V2_PROTO, 'Content-Length': proto.body.length, 'Cache-Control': res.getHeader('Cache-Control') ?? 'no-cache, private' });
      res.end(proto.body);
      return;
    }
    sendRaw(res, 200, built!.json, 'application/json');
  }
}
