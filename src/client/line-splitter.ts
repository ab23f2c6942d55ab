// Splits a byte stream into lines without assuming chunk boundaries fall on them (a watch
// event may arrive in several TCP segments, or several events in one).
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  /** Feeds a chunk; returns the complete lines it finished (without the newline). */
  push(chunk: Buffer): string[] {
    const text = this.rest + this.decoder.write(chunk);
    const lines = text.split('\n');
    this.rest = lines.pop()!;
    return lines.filter((l) => l.trim() !== '');
  }

  /** What is left after the stream ended (a last line without a newline). */
  end(): string[] {
    const last = (this.rest + this.decoder.end()).trim();
    this.rest = '';
    return last ? [last] : [];
  }
}
