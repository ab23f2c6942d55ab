// The three PATCH flavours the apiserver accepts for built-in kinds.
export { applyJsonPatch, maxJsonPatchOperations } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
export type { PatchSchema } from './schema.js';
