// Kubernetes' CEL format library (k8s.io/apiserver/pkg/cel/library/format.go): named string
// formats a rule can check a value against, `format.dns1123Label().validate(self.name)`, which
// is optional.none() for a valid value and the validator's messages otherwise; `format.named(n)`
// looks a format up by name. The checks are those Kubernetes validates object names with.
import { Optional, type Environment } from '@marcbachmann/cel-js';
import { isDNS1035Label, isDNS1123Label } from '../../validation/names.js';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../../machinery/labels/validate.js';
import { checkFormat } from '../formats.js';
import { namespacedName } from './rewrite.js';

export class Format {
  constructor(
    readonly name: string,
    readonly check: (s: string) => string[],
  ) {}
}

/** A generateName prefix may end in '-': validated as if a character followed (maskTrailingDash). */
const prefix = (check: (s: string) => string[]) => (s: string) => check(s.length > 1 && s.endsWith('-') ? `${s.slice(0, -1)}a` : s);
const strfmt = (name: string, label: string) => (s: string) => (checkFormat(name, s) ? [] : [`does not match the ${label} format`]);

const formats = new Map<string, Format>(
  (
    [
      ['dns1123Label', isDNS1123Label],
      ['dns1123Subdomain', isDNS1123Subdomain],
      ['dns1035Label', isDNS1035Label],
      ['qualifiedName', isQualifiedName],
      ['dns1123LabelPrefix', prefix(isDNS1123Label)],
      ['dns1123SubdomainPrefix', prefix(isDNS1123Subdomain)],
      ['dns1035LabelPrefix', prefix(isDNS1035Label)],
      ['labelValue', isValidLabelValue],
      ['uri', strfmt('uri', 'URI')],
      ['uuid', strfmt('uuid', 'UUID')],
      ['byte', strfmt('byte', 'base64')],
      ['date', strfmt('date', 'date')],
      ['datetime', strfmt('date-time', 'datetime')],
    ] as const
  ).map(([n, f]) => [n, new Format(n, f)]),
);

export function registerFormatLibrary(env: Environment): void {
  env.registerType('kubernetes.NamedFormat', Format);
  for (const [n, f] of formats) env.registerFunction(`${namespacedName(`format.${n}`)}(): kubernetes.NamedFormat`, () => f);
  env.registerFunction(`${namespacedName('format.named')}(string): optional<kubernetes.NamedFormat>`, (n: string) => {
    const f = formats.get(n);
    return f ? Optional.of(f) : Optional.none();
  });
  env.registerFunction('kubernetes.NamedFormat.validate(string): optional<list<string>>', (f: Format, s: string) => {
    const errs = f.check(s);
    return errs.length ? Optional.of(errs) : Optional.none();
  });
}
