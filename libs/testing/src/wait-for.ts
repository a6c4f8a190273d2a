// Polling for asynchronous outcomes (a projected decision, a ready endpoint): bounded, and on
// timeout the error names what was awaited, the last probe error and whatever the caller adds.

export interface WaitForOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Appended to the timeout error, e.g. the tail of the spawned services' output. */
  readonly diagnostics?: () => string;
}

/** Calls `probe` until it returns a value other than undefined (a thrown error counts as "not yet"). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, options: WaitForOptions = {}): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 250, diagnostics } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const cause = last ? ` (${String(last)})` : '';
      throw new Error(`${what}: not within ${timeoutMs} ms${cause}${diagnostics ? `\n${diagnostics()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
