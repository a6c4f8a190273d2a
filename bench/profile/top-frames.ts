// The two tables a reader of a CPU profile wants first: the frames that spend the most time
// themselves (self), and the ones under which the most time is spent (inclusive), each in % of the
// main thread's busy (non-idle) time, with where the code lives.
import type { FrameStat, ProfileSummary } from './cpu-profile';

export interface TopFramesOptions {
  readonly selfCount?: number;
  readonly inclusiveCount?: number;
  /** file:line of a frame as the reader should see it. */
  readonly location: (url: string, lineNumber: number) => string;
}

const percent = (micros: number, busy: number) => `${busy > 0 ? ((micros / busy) * 100).toFixed(1) : '0.0'} %`;
/** A function name or path in a table cell: pipes would split the cell, backticks the code span. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/`/g, "'");

export function topBySelf(summary: ProfileSummary, count: number): FrameStat[] {
  return [...summary.frames].sort((a, b) => b.selfMicros - a.selfMicros || b.totalMicros - a.totalMicros).slice(0, count);
}

export function topByInclusive(summary: ProfileSummary, count: number): FrameStat[] {
  return [...summary.frames].sort((a, b) => b.totalMicros - a.totalMicros || b.selfMicros - a.selfMicros).slice(0, count);
}

export function topFramesMarkdown(summary: ProfileSummary, options: TopFramesOptions): string {
  const busy = summary.busyMicros;
  // A native frame has no file: the cell names the JavaScript frame that called it most (a socket
  // write and a log line are both writeUtf8String).
  const native = (frame: FrameStat) => {
    const caller = frame.topCaller;
    if (!caller) return '(native)';
    const where = options.location(caller.url, caller.lineNumber);
    return `(native) from \`${cell(caller.functionName)}\`${where ? ` \`${cell(where)}\`` : ''}`;
  };
  const row = (frame: FrameStat, rank: number, first: 'self' | 'total') => {
    const where = options.location(frame.url, frame.lineNumber);
    const [a, b] = first === 'self' ? [frame.selfMicros, frame.totalMicros] : [frame.totalMicros, frame.selfMicros];
    return `| ${rank} | \`${cell(frame.functionName)}\` | ${where ? `\`${cell(where)}\`` : native(frame)} | ${percent(a, busy)} | ${percent(b, busy)} |`;
  };
  const selfCount = options.selfCount ?? 25;
  const inclusiveCount = options.inclusiveCount ?? 15;
  return [
    `Top ${selfCount} frames by self time (% of busy time):`,
    '',
    '| # | function | file:line | self | inclusive |',
    '|---|---|---|---|---|',
    ...topBySelf(summary, selfCount).map((frame, i) => row(frame, i + 1, 'self')),
    '',
    `Top ${inclusiveCount} frames by inclusive time (% of busy time):`,
    '',
    '| # | function | file:line | inclusive | self |',
    '|---|---|---|---|---|',
    ...topByInclusive(summary, inclusiveCount).map((frame, i) => row(frame, i + 1, 'total')),
    '',
  ].join('\n');
}

export interface ComparedRun {
  readonly summary: ProfileSummary;
  /** Requests answered in the profiled window: turns shares of busy time into µs per request. */
  readonly requests: number;
}

/**
 * Before and after side by side: the union of each run's top `count` frames by self time, each as
 * % of that run's busy time and as µs of main-thread time per request (a share can grow only
 * because the rest shrank; µs per request says what it costs). Largest cost in either run first.
 */
export function comparisonMarkdown(before: ComparedRun, after: ComparedRun, options: { readonly count: number; readonly location: (url: string, lineNumber: number) => string }): string {
  const keyOf = (frame: FrameStat) => `${frame.functionName}\u0000${options.location(frame.url, frame.lineNumber)}`;
  const index = (run: ComparedRun) => new Map(run.summary.frames.map((frame) => [keyOf(frame), frame]));
  const [was, now] = [index(before), index(after)];
  const keys = [...new Set([...topBySelf(before.summary, options.count), ...topBySelf(after.summary, options.count)].map(keyOf))];
  const micros = (frame: FrameStat | undefined, run: ComparedRun) => (frame ? frame.selfMicros / Math.max(1, run.requests) : 0);
  const cellOf = (frame: FrameStat | undefined, run: ComparedRun) =>
    frame ? `${percent(frame.selfMicros, run.summary.busyMicros)} · ${micros(frame, run).toFixed(1)} µs` : '—';
  const rows = keys
    .map((key) => ({ key, before: was.get(key), after: now.get(key) }))
    .sort((a, b) => Math.max(micros(b.before, before), micros(b.after, after)) - Math.max(micros(a.before, before), micros(a.after, after)));
  return [
    '| function | file:line | before: self · per request | after: self · per request |',
    '|---|---|---|---|',
    ...rows.map(({ key, before: b, after: a }) => {
      const [name, where] = key.split('\u0000') as [string, string];
      return `| \`${cell(name)}\` | ${where ? `\`${cell(where)}\`` : '(native)'} | ${cellOf(b, before)} | ${cellOf(a, after)} |`;
    }),
    `| **main thread, all** | | **${(before.summary.busyMicros / Math.max(1, before.requests)).toFixed(0)} µs** | **${(after.summary.busyMicros / Math.max(1, after.requests)).toFixed(0)} µs** |`,
    '',
  ].join('\n');
}
