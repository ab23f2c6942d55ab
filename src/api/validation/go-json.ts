// What Go's json.Unmarshal(bytes, &map[string]interface{}{}) answers for a document, in its words:
// upstream checks docker config Secrets this way and puts the error text into its field error.

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return '\'"\'';
  const q = JSON.stringify(c);
  return `'${q.slice(1, -1)}'`;
}

const valueStart = /[{["\-0-9tfn]/;

/** undefined when the bytes are a JSON object (or null); otherwise Go's error text. */
export function goJsonObjectError(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8');
  const first = text.match(/[^ \t\r\n]/);
  if (!first) return 'unexpected end of JSON input';
  if (!valueStart.test(first[0])) return `invalid character ${quoteChar(first[0])} looking for beginning of value`;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : '';
    if (/end of (JSON )?input|Unterminated/i.test(msg)) return 'unexpected end of JSON input';
    // Go names the offending character and what its scanner expected; kubesvc knows the character.
    const at = /position (\d+)/.exec(msg);
    const c = at ? text[Number(at[1])] : undefined;
    return c ? `invalid character ${quoteChar(c)} after top-level value` : 'unexpected end of JSON input';
  }
  if (v === null || (typeof v === 'object' && !Array.isArray(v))) return undefined;
  const word = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
  return `json: cannot unmarshal ${word} into Go value of type map[string]interface {}`;
}
