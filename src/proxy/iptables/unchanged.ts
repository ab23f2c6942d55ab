// Partial syncs leave out chains the kernel already holds exactly. Upstream's partial sync still
// rewrites KUBE-SERVICES, KUBE-NODEPORTS and the filter chains whole every time; with the
// nf_tables backend that costs a delete and an add per rule, so at 1,000 Services a one-endpoint
// change took ~110 ms of iptables-restore here against ~20 ms without them. With --noflush a chain
// that is not declared in the input is not touched, so leaving an unchanged chain out is exact.
// What it gives up — undoing an outside edit of a fixed chain at the next change — the periodic
// resync restores: it writes the fixed chains whole, as upstream's partial syncs always do, and
// the KUBE-PROXY-CANARY chains turn an outside flush of everything into a full sync.

/** `table/chain` → the chain's declaration and rules as last written. */
export type WrittenChains = Map<string, string>;

interface Parsed {
  /** Per table/chain: its declaration and rule lines, in order. */
  chains: Map<string, string[]>;
  /** table/chain of chains the input deletes (-X). */
  deleted: Set<string>;
}

/** The word after a two-character flag ("-A CHAIN …", "-X CHAIN"), without splitting the whole line. */
function chainOf(line: string): string {
  const end = line.indexOf(' ', 3);
  return end < 0 ? line.slice(3) : line.slice(3, end);
}

// Called on every sync's whole input (25 MB at 10,000 Services × 10 endpoints on a full sync), so
// it reads only the chain name of each line, and a chain's rules, which come together, find their
// list without a lookup each.
function parse(text: string): Parsed {
  const chains = new Map<string, string[]>();
  const deleted = new Set<string>();
  let table = '';
  let lastChain = '';
  let lastLines: string[] | undefined;
  for (const line of text.split('\n')) {
    const c = line.charCodeAt(0);
    if (c === 42 /* * */) {
      table = line.slice(1);
      lastChain = '';
      lastLines = undefined;
    } else if (c === 58 /* : */) {
      const sp = line.indexOf(' ');
      chains.set(`${table}/${sp < 0 ? line.slice(1) : line.slice(1, sp)}`, [line]);
    } else if (line.startsWith('-A ')) {
      const chain = chainOf(line);
      if (chain !== lastChain || !lastLines) {
        lastChain = chain;
        lastLines = chains.get(`${table}/${chain}`);
      }
      lastLines?.push(line);
    } else if (line.startsWith('-X ')) deleted.add(`${table}/${chainOf(line)}`);
  }
  return { chains, deleted };
}

/** What the kernel holds after `text` was restored on top of `before` (null `before`: a full write). */
export function afterRestore(before: WrittenChains | null, text: string): WrittenChains {
  const { chains, deleted } = parse(text);
  const out: WrittenChains = new Map(before ?? []);
  for (const [key, lines] of chains) out.set(key, lines.join('\n'));
  for (const key of deleted) out.delete(key);
  return out;
}

/**
 * `text` without the chains `written` shows with exactly the same declaration and rules. Chains
 * the input also deletes stay, so their flush-then-delete is intact. Everything else (table
 * headers, -X and -I lines, COMMIT) is kept in order.
 */
export function omitUnchanged(text: string, written: WrittenChains): { text: string; omitted: number } {
  const { chains, deleted } = parse(text);
  const skip = new Set<string>();
  for (const [key, lines] of chains) if (!deleted.has(key) && written.get(key) === lines.join('\n')) skip.add(key);
  if (skip.size === 0) return { text, omitted: 0 };
  let table = '';
  const kept = text.split('\n').filter((line) => {
    if (line.startsWith('*')) table = line.slice(1);
    else if (line.startsWith(':')) {
      const sp = line.indexOf(' ');
      return !skip.has(`${table}/${sp < 0 ? line.slice(1) : line.slice(1, sp)}`);
    } else if (line.startsWith('-A ')) return !skip.has(`${table}/${chainOf(line)}`);
    return true;
  });
  return { text: kept.join('\n'), omitted: skip.size };
}
