// /openapi/v2 and /openapi/v3[/<group-version>]: kubectl reads these for apply's merge keys,
// explain, and to learn that the server validates fields itself (fieldValidation).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Built, ServedResource } from '../openapi/index.js';
import { resources } from '../resources.js';
import { StatusError } from '../../machinery/status.js';
import { sendRaw } from './respond.js';

const served: ServedResource[] = resources.map((r) => ({
  group: r.group,
  version: r.version,
  resource: r.resource,
  kind: r.kind,
  namespaced: r.namespaced,
  subresources: r.subresources,
  verbs: r.verbs,
}));

// The documents are built on first use: kubectl asks for them only for apply and explain, and
// building them at start-up would cost every `kubesvc up`.
let openapi: Promise<typeof import('../openapi/index.js')> | undefined;

export class OpenAPIRoutes {
  async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { openapiV2Built, openapiV3DocBuilt, openapiV3RootBuilt } = await (openapi ??= import('../openapi/index.js'));
    const path = url.pathname.replace(/\/+$/, '');
    let built: Built | undefined;
    if (path === '/openapi/v2') built = openapiV2Built(served);
    else if (path === '/openapi/v3') built = openapiV3RootBuilt(served);
    else if (path.startsWith('/openapi/v3/')) built = openapiV3DocBuilt(path.slice('/openapi/v3/'.length), served);
    if (!built) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const etag = `"${built.hash}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag });
      res.end();
      return;
    }
    res.setHeader('ETag', etag);
    // A request that pins the hash may be cached for long, as upstream allows.
    if (url.searchParams.has('hash')) res.setHeader('Cache-Control', 'public, immutable');
    sendRaw(res, 200, built.json, 'application/json');
  }
}
