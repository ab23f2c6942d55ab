// Patch metadata for strategic merge patch, one tree per kind (built elsewhere from upstream's
// OpenAPI x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key extensions).

export interface PatchSchema {
  kind: 'object' | 'list' | 'map' | 'scalar';
  /** Fields of an object. */
  fields?: Record<string, PatchSchema>;
  /** Item schema of a list, or value schema of a map. */
  elem?: PatchSchema;
  /** From x-kubernetes-patch-strategy, e.g. 'merge', 'retainKeys', 'merge,retainKeys', 'replace'. */
  patchStrategy?: string;
  /** From x-kubernetes-patch-merge-key. */
  patchMergeKey?: string;
}
