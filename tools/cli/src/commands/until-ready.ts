// `authtrail start` says "running" only once authn and graphql-api answer: before their policy and
// revocations are loaded they refuse every authentication with 503 (authn.startDegraded: false),
// so a first curl right after the message would be refused.
const POLL_MS = 100;
const SAY_AFTER_MS = 2_000;

/** Resolves once every `/readyz` answers 200; says once what it waits for if that takes a while. */
export async function untilReady(baseUrls: readonly string[], progress: (line: string) => void): Promise<void> {
  const started = Date.now();
  let said = false;
  for (const base of baseUrls) {
    for (;;) {
      const status = await fetch(`${base}/readyz`).then(
        (res) => res.status,
        () => 0,
      );
      if (status === 200) break;
      if (!said && Date.now() - started > SAY_AFTER_MS) {
        progress(`waiting for policy and revocations from the control topic (${base}/readyz)`);
        said = true;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
