// Reads Prometheus' text exposition format (0.0.4): the samples of the metric families asked for,
// with their labels. Enough for figures kubesvc's own components expose (the live view reading
// kube-proxy's traffic counters), not a general scraper: no timestamps, no exemplars.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Label values escape backslash, double quote and newline. */
function readLabels(text: string, start: number, labels: Record<string, string>): number {
  let i = start;
  while (i < text.length && text[i] !== '}') {
    const eq = text.indexOf('=', i);
    if (eq < 0 || text[eq + 1] !== '"') return -1;
    const name = text.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\' && j + 1 < text.length) {
        const n = text[++j];
        value += n === 'n' ? '\n' : n;
      } else value += text[j];
    }
    if (j >= text.length) return -1;
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
  }
  return i < text.length ? i + 1 : -1;
}

/** The samples of families whose names `wanted` accepts; malformed lines are skipped. */
export function parsePrometheusText(text: string, wanted: (name: string) => boolean): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    const nameEnd = brace >= 0 && (space < 0 || brace < space) ? brace : space;
    if (nameEnd <= 0) continue;
    const name = line.slice(0, nameEnd);
    if (!wanted(name)) continue;
    const labels: Record<string, string> = {};
    let rest = nameEnd;
    if (line[nameEnd] === '{') {
      rest = readLabels(line, nameEnd + 1, labels);
      if (rest < 0) continue;
    }
    const value = Number(line.slice(rest).trim().split(/\s+/)[0]);
    if (Number.isNaN(value)) continue;
    out.push({ name, labels, value });
  }
  return out;
}
