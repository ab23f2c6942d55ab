// A reporter for `node --test` that records how long each test file took (wall time, from the
// file-level test:complete event, which Node emits as soon as the file's process ends, unlike the
// pass/fail events it holds back to report files in order). run-tests.mjs passes it as a second
// reporter and keeps the figures to start the longest files first next time.
import { relative } from 'node:path';

export default async function* timings(source) {
  const seconds = {};
  for await (const ev of source) {
    if (ev.type !== 'test:complete' || ev.data.nesting !== 0 || !ev.data.file || ev.data.name !== ev.data.file) continue;
    seconds[relative(process.cwd(), ev.data.file)] = Math.round(ev.data.details.duration_ms) / 1000;
  }
  yield `${JSON.stringify(seconds)}\n`;
}
