import { parseDateTime } from './date-time.scalar';

describe('DateTime', () => {
  it.each([
    ['UTC with Z', '2026-11-28T10:00:00Z', '2026-11-28T10:00:00.000Z'],
    ['an offset', '2026-11-28T12:00:00+02:00', '2026-11-28T10:00:00.000Z'],
    ['fractional seconds', '2026-11-28T10:00:00.123456Z', '2026-11-28T10:00:00.123Z'],
  ])('accepts %s', (_name, input, iso) => {
    expect(parseDateTime(input).toISOString()).toBe(iso);
  });

  it.each([
    ['no offset', '2026-11-28T10:00:00'],
    ['a date only', '2026-11-28'],
    ['an impossible date', '2026-13-45T10:00:00Z'],
    ['a number', 1764324000000],
  ])('refuses %s with BAD_USER_INPUT', (_name, input) => {
    expect(() => parseDateTime(input)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });
});
