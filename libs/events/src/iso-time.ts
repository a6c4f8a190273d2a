// RFC 3339 text of an instant, exactly as `Date.prototype.toISOString` writes it, without a Date.
// Every decision event carries two to four of them (its time, a JWT's iat and exp, a
// certificate's validity); `toISOString` went through V8's date cache at ≈ 0.5 µs each (1.5–4.7 µs
// a JWT decision under load), integer arithmetic at ≈ 0.15 (docs/authn.md, "Session 18").

const MILLIS_PER_DAY = 86_400_000;
// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: outside them toISOString writes the
// extended ±YYYYYY years, left to it.
const FOUR_DIGIT_YEARS_FROM = -62_167_219_200_000;
const FOUR_DIGIT_YEARS_UNTIL = 253_402_300_799_999;
const ZERO = 0x30;
const [DASH, T, COLON, DOT, Z] = ['-', 'T', ':', '.', 'Z'].map((c) => c.charCodeAt(0)) as [number, number, number, number, number];

/** `new Date(millis).toISOString()`, the same text and the same RangeError for an invalid time. */
export function isoTimeOf(millis: number): string {
  if (!(millis >= FOUR_DIGIT_YEARS_FROM && millis <= FOUR_DIGIT_YEARS_UNTIL) || !Number.isInteger(millis)) return new Date(millis).toISOString();
  const days = Math.floor(millis / MILLIS_PER_DAY);
  let rest = millis - days * MILLIS_PER_DAY;
  // The proleptic Gregorian date of a day count (H. Hinnant, "chrono-Compatible Low-Level Date
  // Algorithms", civil_from_days): eras of 400 years, years starting on 1 March.
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1_460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const marchMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * marchMonth + 2) / 5) + 1;
  const month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1_000);
  const millisecond = rest - seconds * 1_000;
  // One flat string from its 24 character codes: a template of 15 pieces built as many
  // intermediate strings and cost about half again as much, an array of codes through `apply` 2.5×.
  // prettier-ignore
  return String.fromCharCode(
    digit(year, 1_000), digit(year, 100), digit(year, 10), digit(year, 1), DASH, digit(month, 10), digit(month, 1), DASH, digit(day, 10), digit(day, 1),
    T, digit(hours, 10), digit(hours, 1), COLON, digit(minutes, 10), digit(minutes, 1), COLON, digit(seconds, 10), digit(seconds, 1),
    DOT, digit(millisecond, 100), digit(millisecond, 10), digit(millisecond, 1), Z,
  );
}

/** The character code of the digit of `value` at `place` (1, 10, 100, 1000). */
function digit(value: number, place: number): number {
  return ZERO + (Math.floor(value / place) % 10);
}
