// What Go's json.Unmarshal(bytes, &map[string]interface{}{}) answers for a document, in its words:
// upstream checks docker config Secrets this way and puts the error text into its field error.
// Unmarshal first runs its scanner over the whole input (checkValid), so a syntax error wins over
// a type error; the scanner below follows encoding/json's states and their messages.

function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return '\'"\'';
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x5c: '\\\\' };
  if (named[c]) return `'${named[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  if (c >= 0x80 && c < 0xa0) return `'\\u00${c.toString(16)}'`;
  return `'${String.fromCharCode(c)}'`;
}

class SyntaxError {
  constructor(readonly msg: string) {}
}

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined): boolean => c !== undefined && (isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46));

/** A recursive reading of Go's scanner: each step fails with the message its state would give. */
class Scanner {
  i = 0;
  constructor(private readonly b: Buffer) {}

  private peek(): number | undefined {
    return this.b[this.i];
  }
  private fail(c: number | undefined, context: string): never {
    if (c === undefined) throw new SyntaxError('unexpected end of JSON input');
    throw new SyntaxError(`invalid character ${quoteChar(c)} ${context}`);
  }
  private skipSpace(): void {
    while (isSpace(this.peek())) this.i++;
  }

  value(): void {
    this.skipSpace();
    const c = this.peek();
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x22) return this.string();
    if (c === 0x2d || isDigit(c)) return this.number();
    if (c === 0x74) return this.literal('true');
    if (c === 0x66) return this.literal('false');
    if (c === 0x6e) return this.literal('null');
    this.fail(c, 'looking for beginning of value');
  }

  private object(): void {
    this.i++;
    this.skipSpace();
    if (this.peek() === 0x7d) {
      this.i++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.peek() !== 0x22) this.fail(this.peek(), 'looking for beginning of object key string');
      this.string();
      this.skipSpace();
      if (this.peek() !== 0x3a) this.fail(this.peek(), 'after object key');
      this.i++;
      this.value();
      this.skipSpace();
      const c = this.peek();
      this.i++;
      if (c === 0x7d) return;
      if (c !== 0x2c) this.fail(c, 'after object key:value pair');
    }
  }

  private array(): void {
    this.i++;
    this.skipSpace();
    if (this.peek() === 0x5d) {
      this.i++;
      return;
    }
    for (;;) {
      this.value();
      this.skipSpace();
      const c = this.peek();
      this.i++;
      if (c === 0x5d) return;
      if (c !== 0x2c) this.fail(c, 'after array element');
    }
  }

  private string(): void {
    this.i++;
    for (;;) {
      const c = this.b[this.i++];
      if (c === undefined) this.fail(c, '');
      if (c === 0x22) return;
      if (c < 0x20) this.fail(c, 'in string literal');
      if (c !== 0x5c) continue;
      const e = this.b[this.i++];
      if (e === 0x75) {
        for (let k = 0; k < 4; k++) {
          const h = this.b[this.i++];
          if (!isHex(h)) this.fail(h, 'in \\u hexadecimal character escape');
        }
      } else if (e === undefined || !'"\\/bfnrt'.includes(String.fromCharCode(e))) this.fail(e, 'in string escape code');
    }
  }

  private number(): void {
    if (this.peek() === 0x2d) {
      this.i++;
      if (!isDigit(this.peek())) this.fail(this.peek(), 'in numeric literal');
    }
    if (this.peek() === 0x30) this.i++;
    else while (isDigit(this.peek())) this.i++;
    if (this.peek() === 0x2e) {
      this.i++;
      if (!isDigit(this.peek())) this.fail(this.peek(), 'after decimal point in numeric literal');
      while (isDigit(this.peek())) this.i++;
    }
    if (this.peek() === 0x65 || this.peek() === 0x45) {
      this.i++;
      if (this.peek() === 0x2b || this.peek() === 0x2d) this.i++;
      if (!isDigit(this.peek())) this.fail(this.peek(), 'in exponent of numeric literal');
      while (isDigit(this.peek())) this.i++;
    }
  }

  private literal(word: string): void {
    this.i++;
    for (let k = 1; k < word.length; k++) {
      const c = this.b[this.i++];
      if (c !== word.charCodeAt(k)) this.fail(c, `in literal ${word} (expecting '${word[k]}')`);
    }
  }

  /** The whole input: one value, then only white space. */
  document(): void {
    this.value();
    this.skipSpace();
    if (this.i < this.b.length) this.fail(this.peek(), 'after top-level value');
  }
}

/** undefined when the bytes are a JSON object (or null); otherwise Go's error text. */
export function goJsonObjectError(bytes: Buffer): string | undefined {
  try {
    new Scanner(bytes).document();
  } catch (e) {
    if (e instanceof SyntaxError) return e.msg;
    throw e;
  }
  const v: unknown = JSON.parse(bytes.toString('utf8'));
  if (v === null || (typeof v === 'object' && !Array.isArray(v))) return undefined;
  const word = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
  return `json: cannot unmarshal ${word} into Go value of type map[string]interface {}`;
}
