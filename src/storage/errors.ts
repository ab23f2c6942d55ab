// Errors a backend raises besides the contract's own (backend.ts): using a backend after
// close() is a programming error in the caller, but it must not hang or crash the process.

/** Raised by calls made after close(), and passed to onError of watches that close() ended. */
export class BackendClosedError extends Error {
  constructor() {
    super('storage backend is closed');
    this.name = 'BackendClosedError';
  }
}
