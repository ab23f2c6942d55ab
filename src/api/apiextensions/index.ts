// The apiextensions.k8s.io library's surface: what the registry needs to serve CRDs.
export * from './types.js';
export { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate, defaultCustomResourceDefinition } from './validation.js';
export { computeCRDStatus } from './conditions.js';
export { CustomResourceVersion, type PrepareResult } from './customresource.js';
export { printerColumns } from './printer-columns.js';
export { validateAgainstSchema } from './schema-validation.js';
export { pruneCustomResource } from './prune.js';
export { applyDefaults } from './defaults.js';
