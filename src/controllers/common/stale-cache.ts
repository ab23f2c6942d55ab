// A controller that just wrote an object may sync again before its informer has seen that write;
// acting on the older copy would undo or duplicate it. Such a sync fails with this error and the
// key is retried with back-off: an expected moment of the design, not a fault worth a warning.
export class StaleInformerCacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StaleInformerCacheError';
  }
}
