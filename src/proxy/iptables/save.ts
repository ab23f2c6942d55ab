// Reading `iptables-save` output: which chains exist per table and which rules the built-in chains
// hold, so a full sync can add only missing jump rules and delete only chains that exist.
export interface SavedTable {
  chains: Set<string>;
  /** Every rule line as iptables-save prints it ("-A CHAIN …"). */
  rules: Set<string>;
}

export function parseIptablesSave(text: string): Map<string, SavedTable> {
  const tables = new Map<string, SavedTable>();
  let cur: SavedTable | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      cur = { chains: new Set(), rules: new Set() };
      tables.set(line.slice(1).trim(), cur);
    } else if (!cur) {
      continue;
    } else if (line.startsWith(':')) {
      cur.chains.add(line.slice(1).split(' ')[0] ?? '');
    } else if (line.startsWith('-A ')) {
      cur.rules.add(line.trimEnd());
    }
  }
  return tables;
}
