import { createSemaphore } from './semaphore';

describe('createSemaphore', () => {
  it('grants up to the limit, queues up to the bound, refuses beyond it', async () => {
    const s = createSemaphore(2, 1);
    const a = await s.acquire();
    const b = await s.acquire();
    const waiting = s.acquire();
    const refused = await s.acquire();
    expect([a.kind, b.kind, refused.kind]).toEqual(['acquired', 'acquired', 'queue-full']);
    expect({ active: s.active, queued: s.queued }).toEqual({ active: 2, queued: 1 });
    if (a.kind === 'acquired') a.release();
    const c = await waiting;
    expect(c.kind).toBe('acquired');
    expect({ active: s.active, queued: s.queued }).toEqual({ active: 2, queued: 0 });
  });

  it('ignores a second release of the same permit', async () => {
    const s = createSemaphore(1, 0);
    const a = await s.acquire();
    if (a.kind === 'acquired') {
      a.release();
      a.release();
    }
    expect(s.active).toBe(0);
    expect((await s.acquire()).kind).toBe('acquired');
    expect((await s.acquire()).kind).toBe('queue-full');
  });
});
