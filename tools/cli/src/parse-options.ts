import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '@authtrail/config';
import { UsageError } from './cli-io';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into usage errors that name the option. */
export function parseOptions<T extends Options>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function required<T>(value: T | undefined, option: string): T {
  if (value === undefined || value === '') throw new UsageError(`--${option} is required`);
  return value;
}

export function durationOption(value: string | undefined, option: string, fallback: string): number {
  const text = value ?? fallback;
  const parsed = parseDuration(text);
  const ms = parsed.ok ? parsed.ms : 0;
  if (ms <= 0) throw new UsageError(`--${option}: "${text}" is not a duration like 30s, 15m, 24h, 90d`);
  return ms;
}

export function positiveInteger(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${option}: "${value}" is not a positive whole number`);
  return n;
}
