// Watch streams arrive in arbitrary chunks: lines (and UTF-8 characters) may be split anywhere.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../src/client/line-splitter.js';

describe('LineSplitter', () => {
  it('joins lines split across chunks, multi-byte characters included', () => {
    const text = '{"a":"é"}\n{"b":"日本"}\n\n{"c":3}';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const s = new LineSplitter();
      const lines = [...s.push(bytes.subarray(0, cut)), ...s.push(bytes.subarray(cut)), ...s.end()];
      assert.deepEqual(lines, ['{"a":"é"}', '{"b":"日本"}', '{"c":3}'], `cut at ${cut}`);
    }
  });

  it('one byte at a time', () => {
    const s = new LineSplitter();
    const out: string[] = [];
    for (const b of Buffer.from('x\ny\n')) out.push(...s.push(Buffer.from([b])));
    assert.deepEqual([...out, ...s.end()], ['x', 'y']);
  });
});
