// A counting semaphore with a bounded wait queue. Basic-auth uses it to cap concurrent KDF work
// (argon2/scrypt/bcrypt each burn a core for tens of milliseconds): a flood of bad passwords
// queues a little, then is refused (`throttled`) instead of taking every core.

export type Permit = { readonly kind: 'acquired'; release(): void } | { readonly kind: 'queue-full' };

export interface Semaphore {
  acquire(): Promise<Permit>;
  readonly active: number;
  readonly queued: number;
}

export function createSemaphore(maxConcurrent: number, maxQueued: number): Semaphore {
  let active = 0;
  const waiting: Array<() => void> = [];

  const permit = (): Permit => {
    let released = false;
    return {
      kind: 'acquired',
      release: () => {
        if (released) return;
        released = true;
        const next = waiting.shift();
        // Hand the slot straight to the next waiter: `active` stays the same.
        if (next) next();
        else active--;
      },
    };
  };

  return {
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
    acquire: async () => {
      if (active < maxConcurrent) {
        active++;
        return permit();
      }
      if (waiting.length >= maxQueued) return { kind: 'queue-full' };
      await new Promise<void>((resolve) => waiting.push(resolve));
      return permit();
    },
  };
}
