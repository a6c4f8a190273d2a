import { postgresBoundCeiling } from './ceiling';

describe('the PostgreSQL-bound ceiling of the projector', () => {
  it('is the rate one backend reaches at the measured CPU per event, over the COPY rate', () => {
    // 100 µs of backend CPU per event: at most 10,000 events/s; the COPY ran at 25,000 rows/s.
    const ceiling = postgresBoundCeiling(100, 40, 25_000);
    expect(ceiling.ratio).toBeCloseTo(0.4, 10);
    expect(ceiling.text).toContain('100 µs of CPU per event');
    expect(ceiling.text).toContain("the COPY's 40 µs per row, 2.5×");
    expect(ceiling.text).toContain('10000 events/s = 0.40×');
  });

  it('rises as the work per event falls', () => {
    expect(postgresBoundCeiling(50, 40, 25_000).ratio).toBeCloseTo(0.8, 10);
  });
});
