// Compare-and-set mutations publish, then read the read model until it shows who won. The read
// model is the projection of the control topic in topic order with the same rules authn applies,
// so what it shows is what every authn instance enforces.

/** Polls `probe` until it returns a value or `timeoutMs` passed (then undefined). */
export async function awaitOutcome<T>(probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 20): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(1, deadline - Date.now()))));
  }
}
