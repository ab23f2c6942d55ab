// OpenAPI documents for /openapi/v2 and /openapi/v3, built from the served resource table.
export { openapiV3Root, openapiV3Doc, openapiV3RootBuilt, openapiV3DocBuilt } from './v3.js';
export { openapiV2, openapiV2Built } from './v2.js';
export { encodeOpenAPIv2, openapiV2ProtoBuilt, type BuiltProto } from './v2-proto.js';
export { gvPathOf, type ServedResource } from './types.js';
export type { Built } from './cache.js';
