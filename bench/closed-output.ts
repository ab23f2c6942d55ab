// A benchmark piped into `head` (or any reader that goes away) must still stop what it started:
// Node makes a write to a closed pipe an uncaught EPIPE error, which would end the benchmark before
// its clean-up and leave `kubesvc up`, nginx or HAProxy running. Imported for its effect by the
// modules every process-starting benchmark uses; once the reader is gone, output is dropped and the
// benchmark finishes (and cleans up) as it would have.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stream.write = (() => true) as typeof stream.write;
  });
}
