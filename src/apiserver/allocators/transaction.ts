// Allocation transactions, as upstream's service storage transaction.go: allocations happen at
// once (better to leak than to hand a value out twice) and the registry either commits them
// after the storage write succeeded or reverts them when it failed.

export interface AllocatorTxn {
  commit(): void | Promise<void>;
  revert(): void | Promise<void>;
}

/** A txn from two callbacks; either missing is a no-op. */
export function callbackTxn(cb: { commit?: () => void | Promise<void>; revert?: () => void | Promise<void> }): AllocatorTxn {
  return {
    commit: () => cb.commit?.(),
    revert: () => cb.revert?.(),
  };
}

/** Several txns as one: commit in order, revert in reverse order. */
export function metaTxn(txns: AllocatorTxn[]): AllocatorTxn {
  return {
    commit: async () => {
      for (const t of txns) await t.commit();
    },
    revert: async () => {
      for (let i = txns.length - 1; i >= 0; i--) await txns[i]!.revert();
    },
  };
}
