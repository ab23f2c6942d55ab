// ValidateSecret / ValidateSecretUpdate, with the keys each built-in Secret type requires.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { Secret } from '../core.js';
import { base64ByteLength, MaxSecretSize, sameBag, validateDataKeys, validateImmutableData } from './data-bags.js';
import { goJsonObjectError } from './go-json.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';

export const SecretTypes = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
  bootstrapToken: 'bootstrap.kubernetes.io/token',
} as const;

/** The annotation a service-account-token Secret names its ServiceAccount with. */
export const ServiceAccountNameKey = 'kubernetes.io/service-account.name';

// What upstream prints instead of a value it will not echo back.
const redacted = '<secret contents redacted>';

const has = (o: object | undefined, k: string): boolean => o !== undefined && Object.prototype.hasOwnProperty.call(o, k);

/** The keys a Secret's type requires (and, for docker configs, that the config is a JSON object). */
function validateSecretType(s: Secret, dataPath: Path): FieldError[] {
  const data = s.data ?? {};
  const errs: FieldError[] = [];
  const json = (key: string): void => {
    if (!has(data, key)) {
      errs.push(fieldErr.required(dataPath.key(key), ''));
      return;
    }
    const err = goJsonObjectError(Buffer.from(data[key]!, 'base64'));
    if (err) errs.push(fieldErr.invalid(dataPath.key(key), redacted, err));
  };
  switch (s.type ?? '') {
    case SecretTypes.serviceAccountToken:
      // Only the account's name is required; its uid and the token come from a controller later.
      if (!s.metadata?.annotations?.[ServiceAccountNameKey]) {
        errs.push(fieldErr.required(Path.root('metadata', 'annotations').key(ServiceAccountNameKey), ''));
      }
      break;
    case SecretTypes.dockercfg:
      json('.dockercfg');
      break;
    case SecretTypes.dockerConfigJson:
      json('.dockerconfigjson');
      break;
    case SecretTypes.basicAuth:
      // Either may be empty, but one of them must be there.
      if (!has(data, 'username') && !has(data, 'password')) {
        errs.push(fieldErr.required(dataPath.key('username'), ''), fieldErr.required(dataPath.key('password'), ''));
      }
      break;
    case SecretTypes.sshAuth:
      if (!data['ssh-privatekey']) errs.push(fieldErr.required(dataPath.key('ssh-privatekey'), ''));
      break;
    case SecretTypes.tls:
      if (!has(data, 'tls.crt')) errs.push(fieldErr.required(dataPath.key('tls.crt'), ''));
      if (!has(data, 'tls.key')) errs.push(fieldErr.required(dataPath.key('tls.key'), ''));
      break;
    default:
      // Opaque, "" and any type of the user's own: no required keys.
      break;
  }
  return errs;
}

export function validateSecret(s: Secret): FieldError[] {
  const errs = validateObjectMeta(s.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  const dataPath = Path.root('data');
  errs.push(...validateDataKeys(s.data, dataPath));
  let total = 0;
  for (const v of Object.values(s.data ?? {})) total += base64ByteLength(v);
  if (total > MaxSecretSize) errs.push(fieldErr.tooLong(dataPath, '', MaxSecretSize));
  errs.push(...validateSecretType(s, dataPath));
  return errs;
}

export function validateSecretUpdate(s: Secret, old: Secret): FieldError[] {
  const errs = validateObjectMetaUpdate(s.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateImmutableField(s.type ?? '', old.type ?? '', Path.root('type')));
  // stringData was merged into data before this point, so data is all there is to compare.
  errs.push(
    ...validateImmutableData(s.immutable, old.immutable, [{ path: Path.root('data'), changed: !sameBag(s.data, old.data) }], Path.root('immutable')),
  );
  errs.push(...validateSecret(s));
  return errs;
}
