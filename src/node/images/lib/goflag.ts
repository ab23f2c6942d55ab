import type { FlagSpec, FlagValues } from './flags.js';
import { parseGoBool } from '../../../machinery/strconv.js';

// Go's standard `flag` package rules, used by the old standalone serve_hostname image: "-name" or
// "--name", "=value" or a following argument (not for bools), parsing stops at the first
// non-flag argument. Errors print usage and exit 2, -h/-help exits 0, as flag.ExitOnError does.

export function goFlagUsage(program: string, specs: FlagSpec[]): string {
  let out = `Usage of ${program}:\n`;
  for (const s of [...specs].sort((a, b) => a.name.localeCompare(b.name))) {
    out += `  -${s.name}${s.kind === 'bool' ? '' : ` ${s.kind}`}\n    \t${s.usage}`;
    const showDefault = s.kind === 'bool' ? s.default === true : s.kind === 'int' ? s.default !== 0 : s.default !== '';
    if (showDefault) out += s.kind === 'string' ? ` (default ${JSON.stringify(s.default)})` : ` (default ${s.default})`;
    out += '\n';
  }
  return out;
}

function fail(program: string, specs: FlagSpec[], msg: string): never {
  process.stderr.write(`${msg}\n${goFlagUsage(program, specs)}`);
  process.exit(2);
}

export function parseGoFlags(program: string, argv: string[], specs: FlagSpec[]): FlagValues {
  const values: FlagValues = {};
  for (const s of specs) values[s.name] = s.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.length < 2 || !arg.startsWith('-')) break;
    if (arg === '--') break;
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (body === '' || body.startsWith('-') || body.startsWith('=')) fail(program, specs, `bad flag syntax: ${arg}`);
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (name === 'h' || name === 'help') {
      process.stderr.write(goFlagUsage(program, specs));
      process.exit(0);
    }
    const spec = specs.find((s) => s.name === name);
    if (!spec) fail(program, specs, `flag provided but not defined: -${name}`);
    let raw: string;
    if (eq >= 0) raw = body.slice(eq + 1);
    else if (spec.kind === 'bool') raw = 'true';
    else if (i + 1 < argv.length) raw = argv[++i]!;
    else fail(program, specs, `flag needs an argument: -${name}`);
    if (spec.kind === 'bool') {
      const value = parseGoBool(raw);
      if (value !== undefined) values[name] = value;
      else fail(program, specs, `invalid boolean value ${JSON.stringify(raw)} for -${name}: parse error`);
    } else if (spec.kind === 'int') {
      if (!/^[+-]?\d+$/.test(raw)) fail(program, specs, `invalid value ${JSON.stringify(raw)} for flag -${name}: parse error`);
      values[name] = Number(raw);
    } else values[name] = raw;
  }
  return values;
}
