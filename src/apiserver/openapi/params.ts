// Query and path parameters, named and typed as upstream's apiserver declares them. kubectl looks
// for `fieldValidation` on PATCH operations to decide whether the server validates fields itself.

type Kind = 'string' | 'boolean' | 'integer';
export interface Parameter {
  name: string;
  in: 'query' | 'path';
  required?: boolean;
  schema: { type: Kind; uniqueItems: true };
}

const q = (name: string, type: Kind = 'string'): Parameter => ({ name, in: 'query', schema: { type, uniqueItems: true } });
const p = (name: string): Parameter => ({ name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } });

export const pathName = p('name');
export const pathNamespace = p('namespace');
export const pretty = q('pretty');

const listCommon = [
  q('continue'), q('fieldSelector'), q('labelSelector'), q('limit', 'integer'), q('resourceVersion'),
  q('resourceVersionMatch'), q('sendInitialEvents', 'boolean'), q('timeoutSeconds', 'integer'),
];
const deleteCommon = [
  q('dryRun'), q('gracePeriodSeconds', 'integer'),
  q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean'), q('orphanDependents', 'boolean'),
  q('propagationPolicy'),
];
const byName = (a: Parameter, b: Parameter): number => a.name.localeCompare(b.name);

export const listParams = [q('allowWatchBookmarks', 'boolean'), ...listCommon, q('watch', 'boolean')].sort(byName);
export const writeParams = [q('dryRun'), q('fieldManager'), q('fieldValidation')];
export const patchParams = [...writeParams, q('force', 'boolean')];
export const deleteParams = [...deleteCommon].sort(byName);
export const deleteCollectionParams = [...listCommon, ...deleteCommon].sort(byName);
export const logParams = [
  q('container'), q('follow', 'boolean'), q('insecureSkipTLSVerifyBackend', 'boolean'), q('limitBytes', 'integer'),
  q('previous', 'boolean'), q('sinceSeconds', 'integer'), q('stream'), q('tailLines', 'integer'), q('timestamps', 'boolean'),
];
export const execParams = [
  q('command'), q('container'), q('stderr', 'boolean'), q('stdin', 'boolean'), q('stdout', 'boolean'), q('tty', 'boolean'),
];
export const portForwardParams = [q('ports', 'integer')];
