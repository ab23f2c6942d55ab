// Serving /api and /apis: aggregated discovery for a client whose Accept asks for
// apidiscovery.k8s.io's APIGroupDiscoveryList (v2 or v2beta1), the unaggregated APIVersions /
// APIGroupList for everyone else, as upstream's aggregated.WrappedHandler decides between the two.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import { errors, StatusError } from '../../machinery/status.js';
import { clauseMatches, parseAccept, type AcceptClause } from './accept.js';
import { sendRaw } from './respond.js';
import {
  aggregatedDocument,
  discoveryGroup,
  discoveryListKind,
  versionedList,
  type DiscoveryVersion,
  type ServedResources,
} from '../discovery-aggregated.js';

export type DiscoveryRoot = 'api' | 'apis';


/** The encodings kubesvc writes discovery in (upstream also has protobuf, which kubesvc does not serve here). */
const servedMediaTypes = ['application/json', 'application/yaml'] as const;
type ServedMediaType = (typeof servedMediaTypes)[number];

/**
 * What upstream's go-restful route for /api declares it produces. go-restful refuses a request whose
 * Accept names none of these (parameters ignored) before negotiation runs, with "406: Not Acceptable";
 * /apis is not a go-restful route upstream and goes straight to negotiation.
 */
const producedByApiRoute = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/**
 * Off only for measuring what aggregated discovery saves (bench/apiserver.ts), as upstream's
 * AggregatedDiscoveryEndpoint feature gate did before it was locked on.
 */
export function aggregatedDiscoveryEnabled(): boolean {
  return process.env.KUBESVC_AGGREGATED_DISCOVERY !== 'false';
}

interface Negotiated {
  mediaType: ServedMediaType;
  /** Set when the client asked for aggregated discovery in this version. */
  aggregated?: DiscoveryVersion;
}

type Restriction = 'aggregated' | 'default';

/** Upstream's acceptMediaTypeOptions: which of a clause's parameters this endpoint can honour. */
function acceptable(c: AcceptClause, mediaType: ServedMediaType, restriction: Restriction): Negotiated | undefined {
  let convert: { g?: string; v?: string; as?: string } | undefined;
  for (const [k, v] of c.params) {
    if (k === 'as' || k === 'g' || k === 'v') (convert ??= {})[k] = v;
    // Only JSON has a stream encoding, and only the watch one.
    else if (k === 'stream' && v !== '' && (mediaType !== 'application/json' || v !== 'watch')) return undefined;
    else if (k === 'sv' && v !== '') return undefined;
  }
  if (restriction === 'default') return convert === undefined ? { mediaType } : undefined;
  if (!convert || convert.g !== discoveryGroup || convert.as !== discoveryListKind) return undefined;
  if (convert.v !== 'v2' && convert.v !== 'v2beta1') return undefined;
  return { mediaType, aggregated: convert.v };
}

function negotiate(clauses: AcceptClause[], restriction: Restriction): Negotiated | undefined {
  for (const c of clauses) {
    for (const mt of servedMediaTypes) {
      if (!clauseMatches(c, mt)) continue;
      const n = acceptable(c, mt, restriction);
      if (n) return n;
    }
  }
  return undefined;
}

/** go-restful's Route.matchesAccept: some Accept entry, parameters cut off, is produced (or is * / *). */
function apiRouteAccepts(accept: string): boolean {
  return accept.split(',').some((entry) => {
    const type = entry.split(';')[0]!.trim();
    return type === '*/*' || producedByApiRoute.includes(type);
  });
}

function encode(body: object, mediaType: ServedMediaType): string {
  // Upstream's YAML is its JSON converted with sorted keys (sigs.k8s.io/yaml); objects the document
  // shares (e.g. one verbs array) are written out each time, as JSON is, never as YAML aliases.
  return mediaType === 'application/yaml' ? toYaml(body, { sortMapEntries: true, aliasDuplicateObjects: false }) : JSON.stringify(body);
}

/**
 * Answers GET /api or /apis. `unaggregated` builds the APIVersions / APIGroupList document; the
 * aggregated one comes from discovery-aggregated.ts.
 */
export function serveDiscoveryRoot(req: IncomingMessage, res: ServerResponse, root: DiscoveryRoot, served: ServedResources, unaggregated: () => object): void {
  const accept = req.headers.accept ?? '';
  if (root === 'api' && accept !== '' && !apiRouteAccepts(accept)) {
    throw new StatusError(406, 'NotAcceptable', '406: Not Acceptable');
  }
  const clauses = accept === '' ? [] : parseAccept(accept);
  // An empty Accept gets the first encoding, unaggregated, as upstream's negotiation.
  const aggregated = accept !== '' && aggregatedDiscoveryEnabled() ? negotiate(clauses, 'aggregated') : undefined;
  if (aggregated?.aggregated) return serveAggregated(req, res, root, served, aggregated.mediaType, aggregated.aggregated);
  const plain = accept === '' ? { mediaType: 'application/json' as const } : negotiate(clauses, 'default');
  if (!plain) throw errors.notAcceptable(`only the following media types are accepted: ${servedMediaTypes.join(', ')}`);
  sendRaw(res, 200, encode(unaggregated(), plain.mediaType), plain.mediaType);
}

/** Upstream's ServeHTTPWithETag: ETag, Vary: Accept, Cache-Control: public, and 304 for a matching If-None-Match. */
function serveAggregated(req: IncomingMessage, res: ServerResponse, root: DiscoveryRoot, served: ServedResources, mediaType: ServedMediaType, version: DiscoveryVersion): void {
  const doc = aggregatedDocument(served, root);
  const etag = `"${doc.etag}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Vary', 'Accept');
  res.setHeader('Cache-Control', 'public');
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304);
    res.end();
    return;
  }
  // The response names what it is, so clients tell it from the unaggregated answer (client-go reads this).
  const contentType = `${mediaType};g=${discoveryGroup};v=${version};as=${discoveryListKind}`;
  const key = `${version} ${mediaType}`;
  let body = doc.bodies.get(key);
  if (body === undefined) doc.bodies.set(key, (body = encode(versionedList(doc.list, version), mediaType)));
  sendRaw(res, 200, body, contentType);
}
