// Go type names as upstream's JSON decoder prints them in its errors ("... of type v1.Protocol"):
// a definition's Go type is its package's last element and its name; a field whose Go type is a
// named string (or map) type, which no schema records, is looked up in api/go-named-types.ts
// through the Go field name that upstream's struct tags give the JSON key.
import { namedTypes } from '../go-named-types.js';
import { MESSAGES } from '../../apiserver/protobuf/generated.js';

/** io.k8s.api.core.v1.ServicePort → v1.ServicePort, ...util.intstr.IntOrString → intstr.IntOrString. */
export function goTypeOfDefinition(definitionName: string): string {
  return definitionName.split('.').slice(-2).join('.');
}

/** The struct's short name (Go's reflect Type.Name()), e.g. ServicePort. */
export function structNameOfDefinition(definitionName: string): string {
  return definitionName.slice(definitionName.lastIndexOf('.') + 1);
}

let goFieldNames: Map<string, string> | undefined;

/** "ServiceSpec.ipFamilies" → "IPFamilies", from the generated table of upstream's struct tags. */
function goFieldName(struct: string, jsonField: string): string | undefined {
  if (!goFieldNames) {
    goFieldNames = new Map();
    for (const [msg, def] of Object.entries(MESSAGES)) {
      const short = msg.slice(msg.lastIndexOf('.') + 1);
      for (const f of def.fields) if (f.json) goFieldNames.set(`${short}.${f.json}`, f.go);
    }
  }
  return goFieldNames.get(`${struct}.${jsonField}`);
}

/**
 * The named Go type of the JSON field `jsonField` of struct `struct`, if it has one, as the
 * decoder prints the field's type: `[]v1.IPFamily` for a list, `v1.ResourceList` for a map.
 */
export function namedGoType(struct: string, jsonField: string, isList: boolean): string | undefined {
  const go = goFieldName(struct, jsonField);
  if (!go) return undefined;
  const key = `${struct}.${go}`;
  const t = Object.prototype.hasOwnProperty.call(namedTypes, key) ? namedTypes[key] : undefined;
  return t && isList ? `[]${t}` : t;
}
