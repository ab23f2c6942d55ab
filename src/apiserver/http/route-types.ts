// What a request path names (see route.ts, which works it out against the registry).
import type { ResourceInfo } from '../resources.js';

export interface ResourceRoute {
  type: 'resource';
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export type Route =
  | ResourceRoute
  | { type: 'apiVersions' } // /api
  | { type: 'apiGroupList' } // /apis
  | { type: 'apiGroup'; group: string } // /apis/<g>
  | { type: 'resourceList'; group: string; version: string } // /api/v1, /apis/<g>/<v>
  | { type: 'other'; path: string }
  | { type: 'notFound' };
