// The patch-relevant shape of a kind: which lists merge by key, which maps are plain maps.
// Produced from the OpenAPI schema (src/api/schema) and consumed by strategic merge patch.
export interface PatchSchema { kind: 'object' | 'list' | 'map' | 'scalar'; fields?: Record<string, PatchSchema>; elem?: PatchSchema; patchStrategy?: string; patchMergeKey?: string; }
