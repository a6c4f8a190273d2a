// The `sequence` of decision events (DESIGN §4): 1, 2, 3, … per producer boot (one process start
// of one `instance`, named by `boot`), so a consumer that sees 41 then 43 from one boot knows an
// event went missing. authn keeps its own counter with the sequence ledger (producer-boot.ts).

export interface Sequence {
  /** The next number; the first call returns 1. */
  next(): number;
  /** The last number handed out (0 before the first `next`). */
  current(): number;
}

export function createSequence(): Sequence {
  let last = 0;
  return {
    next: () => {
      last += 1;
      return last;
    },
    current: () => last,
  };
}
