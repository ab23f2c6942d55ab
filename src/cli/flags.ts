// A small flag parser with kubectl-like spelling: `--name value` or `--name=value`, booleans bare.
import { parseGoBool } from '../machinery/strconv.js';
import { parseGoDuration } from '../node/images/lib/gofmt.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  name: string;
  /** Boolean flags take no value. */
  boolean?: boolean;
  /** May be given more than once; every value is kept, in order, in `lists`. */
  repeated?: boolean;
  help: string;
  default?: string;
  metavar?: string;
}

export interface Parsed {
  /** The last value of each flag given. */
  values: Map<string, string>;
  /** Every value of each repeated flag given. */
  lists: Map<string, string[]>;
  bools: Set<string>;
  positional: string[];
}

export function parseFlags(argv: string[], specs: FlagSpec[]): Parsed {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const bools = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown flag: --${name}`);
    if (spec.boolean) {
      const v = eq >= 0 ? body.slice(eq + 1) : 'true';
      if (v === 'true') bools.add(name);
      else if (v !== 'false') throw new UsageError(`--${name} takes true or false, not ${JSON.stringify(v)}`);
      continue;
    }
    let v: string | undefined;
    if (eq >= 0) v = body.slice(eq + 1);
    else v = argv[++i];
    if (v === undefined) throw new UsageError(`flag needs a value: --${name}`);
    values.set(name, v);
    if (spec.repeated) lists.set(name, [...(lists.get(name) ?? []), v]);
  }
  return { values, lists, bools, positional };
}

export function flagHelp(specs: FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.boolean ? '' : ` ${s.metavar ?? 'VALUE'}`}${s.repeated ? ' (repeatable)' : ''}`;
    const def = s.default !== undefined ? ` (default ${s.default})` : '';
    return [left, `${s.help}${def}`] as const;
  });
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  return rows.map(([l, r]) => l.padEnd(w) + r).join('\n');
}

/** A Kubernetes component's bool flag given a value (`--anonymous-auth=false`), read as Go's strconv.ParseBool. */
export function boolFlag(f: { values: Map<string, string> }, name: string, def: boolean): boolean {
  const text = f.values.get(name);
  if (text === undefined) return def;
  const value = parseGoBool(text);
  if (value !== undefined) return value;
  throw new UsageError(`invalid argument ${JSON.stringify(text)} for "--${name}" flag: strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`);
}

/** A Go duration flag in ms (time.ParseDuration), with pflag's message for a bad one. */
export function durationFlag(values: Map<string, string>, name: string, def: string): number {
  const text = values.get(name) ?? def;
  let ns: number;
  try {
    ns = parseGoDuration(text);
  } catch (e) {
    throw new UsageError(`invalid argument ${JSON.stringify(text)} for "--${name}" flag: ${(e as Error).message}`);
  }
  if (ns < 0) throw new UsageError(`--${name} must not be negative, not ${text}`);
  return ns / 1e6;
}
