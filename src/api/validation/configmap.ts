// ValidateConfigMap / ValidateConfigMapUpdate.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { ConfigMap } from '../core.js';
import { base64ByteLength, MaxSecretSize, sameBag, validateDataKeys, validateImmutableData } from './data-bags.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  const data = cm.data ?? {};
  const binary = cm.binaryData ?? {};
  const dataPath = Path.root('data');
  errs.push(...validateDataKeys(data, dataPath));
  for (const key of Object.keys(data).sort()) {
    if (Object.prototype.hasOwnProperty.call(binary, key)) {
      errs.push(fieldErr.invalid(dataPath.key(key), key, 'duplicate of key present in binaryData'));
    }
  }
  errs.push(...validateDataKeys(binary, Path.root('binaryData')));
  let total = 0;
  for (const v of Object.values(data)) total += Buffer.byteLength(v, 'utf8');
  for (const v of Object.values(binary)) total += base64ByteLength(v);
  // Upstream reports the size on an empty path: it is the whole object that is too big.
  if (total > MaxSecretSize) errs.push(fieldErr.tooLong(Path.root(''), '', MaxSecretSize));
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata, Path.root('metadata'));
  errs.push(
    ...validateImmutableData(
      cm.immutable,
      old.immutable,
      [
        { path: Path.root('data'), changed: !sameBag(cm.data, old.data) },
        { path: Path.root('binaryData'), changed: !sameBag(cm.binaryData, old.binaryData) },
      ],
      Path.root('immutable'),
    ),
  );
  errs.push(...validateConfigMap(cm));
  return errs;
}
