// Command-line numbers for the benchmarks: `--name N`, the default when the flag is absent or not
// a number, and an optional ceiling so a typo cannot start an unbounded run.
export function numberArg(name: string, def: number, max = Number.POSITIVE_INFINITY): number {
  const i = process.argv.indexOf(`--${name}`);
  const given = i > 0 ? Number(process.argv[i + 1]) : NaN;
  return Math.min(max, Number.isFinite(given) ? given : def);
}
