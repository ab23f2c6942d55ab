// Server-side apply and managedFields, as structured-merge-diff v4 and k8s.io/apiserver's
// fieldmanager: the API server calls recordUpdate on every write and applyConfiguration for
// apply patches; the rest is this library's inside.
export { recordUpdate, applyConfiguration, managerFromUserAgent, lastAppliedAnnotation, type Kind, type Write } from './fieldmanager.js';
export { FieldSet } from './set.js';
export { toFieldsV1, fromFieldsV1, FieldsV1Error } from './fieldsv1.js';
export { type Path, type PathElement, pathString, token, parseToken } from './path.js';
export { typeOfDefinition, type TypeRef } from './schema.js';
export { toFieldSet, compare, merge, removeItems, TypedError } from './typed.js';
export { applyOwnership, updateOwnership, ConflictError, type Conflict } from './updater.js';
export { decodeManagedFields, encodeManagedFields, capUpdateManagers, identifier, type Manager, type Managers } from './managers.js';
export { conflictStatus, printManager } from './conflict.js';
