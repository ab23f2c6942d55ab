// upstream's ValidateVolumes and ValidateVolumeMounts (pkg/apis/core/validation): volume names,
// exactly one source each, the sources the node agent projects (hostPath, emptyDir, secret,
// configMap, downwardAPI, projected) with their paths and modes, and each container's mounts
// naming a volume of the pod at a unique mountPath.
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import type { Container } from '../core.js';
import { volumeSources } from '../defaults/volume.js';
import { isDNS1123Label } from './names.js';

const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';
const hostPathTypes = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
const volumeFieldPaths = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** validateLocalDescendingPath: relative, no `..` element. */
function localDescendingPath(p: string, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(fieldErr.invalid(path, p, 'must be a relative path'));
  if (p.split('/').includes('..')) errs.push(fieldErr.invalid(path, p, "must not contain '..'"));
  return errs;
}

/** validateLocalNonReservedPath: also not starting with `..` (the AtomicWriter's own names). */
function localNonReservedPath(p: string, path: Path): FieldError[] {
  const errs = localDescendingPath(p, path);
  // `../x` was reported just above.
  if (p.startsWith('..') && !p.startsWith('../')) errs.push(fieldErr.invalid(path, p, "must not start with '..'"));
  return errs;
}

function fileMode(mode: unknown, path: Path): FieldError[] {
  if (mode === undefined || mode === null) return [];
  return typeof mode === 'number' && mode >= 0 && mode <= 0o777 ? [] : [fieldErr.invalid(path, mode, fileModeErrorMsg)];
}

function keyToPaths(items: unknown, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  list(items).forEach((it, i) => {
    const p = path.index(i);
    const kp = obj(it) ?? {};
    if (!str(kp.key)) errs.push(fieldErr.required(p.child('key'), ''));
    if (!str(kp.path)) errs.push(fieldErr.required(p.child('path'), ''));
    else errs.push(...localNonReservedPath(str(kp.path), p.child('path')));
    errs.push(...fileMode(kp.mode, p.child('mode')));
  });
  return errs;
}

/**
 * validateDownwardAPIVolumeFile for each item: as upstream, errors are reported at the
 * downwardAPI field itself (`downwardAPI.path`, `downwardAPI.fieldRef.fieldPath`), not per item.
 */
function downwardAPIFiles(items: unknown, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const it of list(items)) {
    const f = obj(it) ?? {};
    if (!str(f.path)) errs.push(fieldErr.required(path.child('path'), ''));
    errs.push(...localNonReservedPath(str(f.path), path.child('path')));
    const fieldRef = obj(f.fieldRef);
    const resourceRef = obj(f.resourceFieldRef);
    if (fieldRef) {
      const fp = str(fieldRef.fieldPath);
      const sub = /^metadata\.(labels|annotations)\[(.+)\]$/.test(fp);
      if (!fp) errs.push(fieldErr.required(path.child('fieldRef', 'fieldPath'), ''));
      else if (!sub && !volumeFieldPaths.includes(fp)) errs.push(fieldErr.notSupported(path.child('fieldRef', 'fieldPath'), fp, volumeFieldPaths));
      if (resourceRef) errs.push(fieldErr.invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    } else if (resourceRef) {
      if (!str(resourceRef.containerName)) errs.push(fieldErr.required(path.child('resourceFieldRef', 'containerName'), ''));
      if (!str(resourceRef.resource)) errs.push(fieldErr.required(path.child('resourceFieldRef', 'resource'), ''));
    } else {
      errs.push(fieldErr.required(path, 'one of fieldRef and resourceFieldRef is required'));
    }
    errs.push(...fileMode(f.mode, path.child('mode')));
  }
  return errs;
}

/** upstream's validateProjectionSources, field paths included (some point at `projected` itself). */
function projectedSources(src: Obj, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  const claim = (p: string, value: string) => {
    if (!p) return;
    if (seen.has(p)) errs.push(fieldErr.invalid(path, value, 'conflicting duplicate paths'));
    seen.add(p);
  };
  list(src.sources).forEach((s, i) => {
    const p = path.child('sources').index(i);
    const source = obj(s) ?? {};
    let n = 0;
    for (const kind of ['secret', 'configMap'] as const) {
      const body = obj(source[kind]);
      if (!body) continue;
      n++;
      if (!str(body.name)) errs.push(fieldErr.required(p.child(kind, 'name'), ''));
      errs.push(...keyToPaths(body.items, p.child(kind, 'items')));
      for (const it of list(body.items)) claim(str(obj(it)?.path), str(body.name));
    }
    const dapi = obj(source.downwardAPI);
    if (dapi) {
      n++;
      errs.push(...downwardAPIFiles(dapi.items, p.child('downwardAPI')));
      for (const it of list(dapi.items)) claim(str(obj(it)?.path), str(obj(it)?.path));
    }
    const token = obj(source.serviceAccountToken);
    if (token) {
      n++;
      const tp = p.child('serviceAccountToken');
      const exp = token.expirationSeconds;
      if (typeof exp === 'number' && exp < 600) errs.push(fieldErr.invalid(tp.child('expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
      if (typeof exp === 'number' && exp > 2 ** 32) errs.push(fieldErr.invalid(tp.child('expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
      if (!str(token.path)) errs.push(fieldErr.required(path.child('path'), ''));
      else errs.push(...localNonReservedPath(str(token.path), path.child('path')));
    }
    if (obj(source.clusterTrustBundle)) n++;
    if (n > 1) errs.push(fieldErr.forbidden(p, 'may not specify more than 1 volume type'));
  });
  return errs;
}

function volumeSource(v: Obj, path: Path): FieldError[] {
  const set = volumeSources.filter((k) => v[k] !== undefined && v[k] !== null);
  if (set.length === 0) return [fieldErr.required(path, 'must specify a volume type')];
  const errs: FieldError[] = set.slice(1).map((k) => fieldErr.forbidden(path.child(k), 'may not specify more than 1 volume type'));
  const kind = set[0]!;
  const src = obj(v[kind]) ?? {};
  const p = path.child(kind);
  switch (kind) {
    case 'hostPath': {
      const hp = str(src.path);
      if (!hp) errs.push(fieldErr.required(p.child('path'), ''));
      else if (hp.split('/').includes('..')) errs.push(fieldErr.invalid(p.child('path'), hp, "must not contain '..'"));
      if (src.type !== undefined && src.type !== null && !hostPathTypes.includes(str(src.type))) {
        errs.push(fieldErr.notSupported(p.child('type'), src.type, hostPathTypes.slice(1)));
      }
      break;
    }
    case 'secret':
      if (!str(src.secretName)) errs.push(fieldErr.required(p.child('secretName'), ''));
      errs.push(...fileMode(src.defaultMode, p.child('defaultMode')), ...keyToPaths(src.items, p.child('items')));
      break;
    case 'configMap':
      if (!str(src.name)) errs.push(fieldErr.required(p.child('name'), ''));
      errs.push(...fileMode(src.defaultMode, p.child('defaultMode')), ...keyToPaths(src.items, p.child('items')));
      break;
    case 'downwardAPI':
      errs.push(...fileMode(src.defaultMode, p.child('defaultMode')), ...downwardAPIFiles(src.items, p));
      break;
    case 'projected':
      errs.push(...fileMode(src.defaultMode, p.child('defaultMode')), ...projectedSources(src, p));
      break;
    case 'emptyDir':
      if (src.medium !== undefined && src.medium !== null && !['', 'Memory', 'HugePages'].includes(str(src.medium)) && !str(src.medium).startsWith('HugePages-')) {
        errs.push(fieldErr.notSupported(p.child('medium'), src.medium, ['', 'Memory', 'HugePages']));
      }
      break;
  }
  return errs;
}

/** ValidateVolumes: the errors and the names of the pod's volumes, for its containers' mounts. */
export function validateVolumes(volumes: unknown, path: Path): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list(volumes).forEach((raw, i) => {
    const p = path.index(i);
    const v = obj(raw) ?? {};
    const name = str(v.name);
    if (!name) errs.push(fieldErr.required(p.child('name'), ''));
    else for (const m of isDNS1123Label(name)) errs.push(fieldErr.invalid(p.child('name'), name, m));
    if (name && names.has(name)) errs.push(fieldErr.duplicate(p.child('name'), name));
    errs.push(...volumeSource(v, p));
    if (name) names.add(name);
  });
  return { errs, names };
}

/** ValidateVolumeMounts of one container. */
export function validateVolumeMounts(c: Container, volumes: Set<string>, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const mountPaths = new Set<string>();
  list(c.volumeMounts).forEach((raw, i) => {
    const p = path.index(i);
    const m = obj(raw) ?? {};
    const name = str(m.name);
    const mountPath = str(m.mountPath);
    if (!name) errs.push(fieldErr.required(p.child('name'), ''));
    else if (!volumes.has(name)) errs.push(fieldErr.notFound(p.child('name'), name));
    if (!mountPath) errs.push(fieldErr.required(p.child('mountPath'), ''));
    else if (mountPaths.has(mountPath)) errs.push(fieldErr.invalid(p.child('mountPath'), mountPath, 'must be unique'));
    mountPaths.add(mountPath);
    const subPath = str(m.subPath);
    const expr = str(m.subPathExpr);
    if (subPath && expr) errs.push(fieldErr.invalid(p.child('subPathExpr'), expr, 'subPathExpr and subPath are mutually exclusive'));
    if (subPath) errs.push(...localDescendingPath(subPath, p.child('subPath')));
    if (expr) errs.push(...localDescendingPath(expr, p.child('subPathExpr')));
  });
  return errs;
}
