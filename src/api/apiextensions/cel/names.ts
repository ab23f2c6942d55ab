// Property names as CEL sees them (apiserver/pkg/cel's Escape): a schema property whose name is
// a CEL reserved word or holds characters CEL identifiers cannot is reachable as an escaped name,
// e.g. `namespace` as `self.__namespace__` and `x-y` as `self.x__dash__y`. Map keys
// (additionalProperties) are not escaped; they are read with `self['x-y']`.

const reserved = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

export function escapeCELName(name: string): string {
  if (reserved.has(name)) return `__${name}__`;
  if (!/[_./-]/.test(name)) return name;
  return name.replace(/__|[./-]/g, (m) => ({ __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' })[m]!);
}

export function unescapeCELName(name: string): string {
  if (!name.includes('__')) return name;
  const m = /^__(.+)__$/.exec(name);
  if (m && reserved.has(m[1]!)) return m[1]!;
  return name.replace(/__(underscores|dot|dash|slash)__/g, (_x, w: string) => ({ underscores: '__', dot: '.', dash: '-', slash: '/' })[w]!);
}
