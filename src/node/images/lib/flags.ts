// A parser with spf13/pflag's rules, which agnhost's subcommands use: "--name=value",
// "--name value" (not for bools), bare "--bool", "-x" shorthands for one-letter names, "--" ends
// flags, positional arguments may be interleaved. Error texts are pflag's, since users see them.
import { parseGoBool } from '../../../machinery/strconv.js';

export type FlagKind = 'bool' | 'int' | 'string';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  default: boolean | number | string;
  usage: string;
  /** one-letter alias, e.g. "h" for help */
  shorthand?: string;
}

export type FlagValues = Record<string, boolean | number | string>;

export interface ParsedFlags {
  values: FlagValues;
  positional: string[];
}

export class FlagError extends Error {}

function parseBool(v: string, name: string): boolean {
  const value = parseGoBool(v);
  if (value !== undefined) return value;
  throw new FlagError(`invalid argument "${v}" for "--${name}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

function parseInt64(v: string, name: string, flagText: string): number {
  // strconv.ParseInt with base 0: decimal, 0x hex, 0o/0 octal, 0b binary, optional sign, underscores.
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]+|[0-9]+)$/.exec(v);
  if (!m) {
    throw new FlagError(
      `invalid argument "${v}" for "${flagText}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`,
    );
  }
  let body = m[2]!.replace(/_/g, '');
  if (/^0[0-7]+$/.test(body)) body = '0o' + body.slice(1);
  const n = Number(body);
  return m[1] === '-' ? -n : n;
}

function convert(spec: FlagSpec, raw: string, flagText: string): boolean | number | string {
  switch (spec.kind) {
    case 'bool':
      return parseBool(raw, spec.name);
    case 'int':
      return parseInt64(raw, spec.name, flagText);
    case 'string':
      return raw;
  }
}

export function parseFlags(argv: string[], specs: FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.shorthand).map((s) => [s.shorthand!, s]));
  const values: FlagValues = {};
  for (const s of specs) values[s.name] = s.default;
  const positional: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const spec = byName.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) values[name] = convert(spec, arg.slice(eq + 1), `--${name}`);
      else if (spec.kind === 'bool') values[name] = true;
      else if (i + 1 < argv.length) values[name] = convert(spec, argv[++i]!, `--${name}`);
      else throw new FlagError(`flag needs an argument: --${name}`);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // Shorthand cluster: "-h", "-v=2", "-v 2".
      const letters = arg.slice(1);
      for (let j = 0; j < letters.length; j++) {
        const c = letters[j]!;
        const spec = byShort.get(c);
        if (!spec) throw new FlagError(`unknown shorthand flag: '${c}' in ${arg}`);
        const rest = letters.slice(j + 1);
        if (rest.startsWith('=')) {
          values[spec.name] = convert(spec, rest.slice(1), `-${c}, --${spec.name}`);
          break;
        }
        if (spec.kind === 'bool') {
          values[spec.name] = true;
          continue;
        }
        if (rest !== '') values[spec.name] = convert(spec, rest, `-${c}, --${spec.name}`);
        else if (i + 1 < argv.length) values[spec.name] = convert(spec, argv[++i]!, `-${c}, --${spec.name}`);
        else throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
        break;
      }
      continue;
    }
    positional.push(arg);
  }
  return { values, positional };
}

/** pflag's FlagUsages layout: aligned "  -x, --name type   usage (default d)". */
export function flagUsages(specs: FlagSpec[]): string {
  const lines = specs.map((s) => {
    let left = s.shorthand ? `  -${s.shorthand}, --${s.name}` : `      --${s.name}`;
    if (s.kind !== 'bool') left += ` ${s.kind}`;
    let usage = s.usage;
    const showDefault =
      (s.kind === 'bool' && s.default === true) ||
      (s.kind === 'int' && s.default !== 0) ||
      (s.kind === 'string' && s.default !== '');
    if (showDefault) usage += s.kind === 'string' ? ` (default "${s.default}")` : ` (default ${s.default})`;
    return { left, usage };
  });
  const width = Math.max(0, ...lines.map((l) => l.left.length));
  return lines.map((l) => `${l.left.padEnd(width)}   ${l.usage}\n`).join('');
}
