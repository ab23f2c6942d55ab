// The Accept header as kube-apiserver reads it (the goautoneg parser its content negotiation uses):
// clauses split on ',' and ';', parameters kept case as sent, a clause without a '/' dropped (except a
// bare '*'), an unparsable q read as 0, and the clauses ordered by q, then specific before wildcard.
export interface AcceptClause {
  type: string;
  subType: string;
  q: number;
  params: Map<string, string>;
}

/** Go's strconv.ParseFloat for a q value: anything it would refuse (including '', hex, '1e') gives 0. */
function parseQ(raw: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) && !/^[+-]?(inf|infinity|nan)$/i.test(raw)) return 0;
  const q = Number(/^[+-]?inf/i.test(raw) ? (raw.startsWith('-') ? -Infinity : Infinity) : raw);
  return Number.isNaN(q) ? 0 : q;
}

export function parseAccept(header: string): AcceptClause[] {
  const out: AcceptClause[] = [];
  for (const rawPart of header.split(',')) {
    const part = rawPart.replace(/^ +| +$/g, '');
    const [range = '', ...rawParams] = part.split(';');
    const sp = range.split('/');
    const type = sp[0]!.replace(/^ +| +$/g, '');
    let subType: string;
    if (sp.length === 1 && type === '*') subType = '*';
    else if (sp.length === 2) subType = sp[1]!.replace(/^ +| +$/g, '');
    else continue;
    const clause: AcceptClause = { type, subType, q: 1, params: new Map() };
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const token = p.slice(0, eq).replace(/^ +| +$/g, '');
      const value = p.slice(eq + 1);
      if (token === 'q') clause.q = parseQ(value);
      else clause.params.set(token, value.replace(/^ +| +$/g, ''));
    }
    out.push(clause);
  }
  // goautoneg's order: higher q first, then a concrete type before '*', a concrete subtype before '*'.
  // Array.prototype.sort is stable, so equal clauses keep the client's order (which decides for kubectl).
  return out.sort((a, b) => {
    if (a.q !== b.q) return b.q - a.q;
    const wa = (a.type === '*' ? 2 : 0) + (a.subType === '*' ? 1 : 0);
    const wb = (b.type === '*' ? 2 : 0) + (b.subType === '*' ? 1 : 0);
    return wa - wb;
  });
}

/** Whether a clause names this media type itself, its type with '*', or '*' '/' '*'. */
export function clauseMatches(c: AcceptClause, mediaType: string): boolean {
  const [type, subType] = mediaType.split('/');
  return (c.type === type && (c.subType === subType || c.subType === '*')) || (c.type === '*' && c.subType === '*');
}
