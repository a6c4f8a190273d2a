// A small flame-graph writer (no dependency, no external service): the merged call tree of a CPU
// profile as an SVG, the root at the bottom, each frame as wide as its inclusive time (self + children),
// children left-aligned on their parent in alphabetical order (the x axis is not time). Every frame
// carries a hover <title> with its location and times; labels are cut to fit their box.
import type { FlameNode } from './cpu-profile';

export interface FlameGraphOptions {
  readonly title: string;
  readonly subtitle?: string;
  /** Of the whole image; the frames span it less two 10 px margins. */
  readonly width?: number;
  readonly rowHeight?: number;
  /** Frames narrower than this (and everything above them) are not drawn; their time stays in their parent's width. */
  readonly minWidthPx?: number;
  /** How a frame's location reads in its title and legend (default: the url and 1-based line). */
  readonly location?: (url: string, lineNumber: number) => string;
}

const MARGIN = 10;
const HEADER = 56;
const FOOTER = 34;
const FONT_SIZE = 11;
/** Width of one character of the 11 px sans-serif labels, generous enough that a cut label never overflows. */
const CHAR_WIDTH = 6.6;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const px = (value: number) => String(Math.round(value * 100) / 100);
const ms = (micros: number) => (micros / 1000).toFixed(micros >= 100_000 ? 0 : 1);

/** What kind of code a frame is, which picks its colour family. */
export type FrameKind = 'authtrail' | 'package' | 'node' | 'native';

export function frameKind(node: Pick<FlameNode, 'functionName' | 'url'>): FrameKind {
  if (!node.url) return 'native';
  if (node.url.startsWith('node:')) return 'node';
  if (node.url.includes('/node_modules/')) return 'package';
  return 'authtrail';
}

const PALETTE: Readonly<Record<FrameKind, { readonly hue: readonly [number, number]; readonly label: string }>> = {
  authtrail: { hue: [0, 28], label: 'authtrail (libs/, services/)' },
  package: { hue: [40, 58], label: 'npm packages (node_modules/)' },
  node: { hue: [195, 215], label: 'Node.js internals (node:)' },
  native: { hue: [0, 0], label: 'V8 builtins, native code, GC' },
};

/** Deterministic colour: the kind picks the hue range, the function name a place in it (neighbours differ). */
export function frameColor(node: Pick<FlameNode, 'functionName' | 'url'>): string {
  const kind = frameKind(node);
  if (kind === 'native') return 'hsl(0, 0%, 72%)';
  let hash = 0;
  for (let i = 0; i < node.functionName.length; i++) hash = (hash * 31 + node.functionName.charCodeAt(i)) >>> 0;
  const [low, high] = PALETTE[kind].hue;
  const hue = low + (hash % 1000) / 1000 * (high - low);
  return `hsl(${hue.toFixed(0)}, 78%, ${60 + (hash % 7)}%)`;
}

/** The label that fits `width` px: the whole name, or its start and '..', or nothing. */
export function fitLabel(text: string, width: number): string {
  const room = Math.floor((width - 6) / CHAR_WIDTH);
  if (room >= text.length) return text;
  return room >= 3 ? `${text.slice(0, room - 2)}..` : '';
}

export function flameGraphSvg(root: FlameNode, options: FlameGraphOptions): string {
  const width = options.width ?? 1200;
  const rowHeight = options.rowHeight ?? 17;
  const minWidth = options.minWidthPx ?? 0.5;
  const location = options.location ?? ((url: string, line: number) => (url ? `${url}${line >= 0 ? `:${line + 1}` : ''}` : ''));
  const scale = root.totalMicros > 0 ? (width - 2 * MARGIN) / root.totalMicros : 0;
  const share = (micros: number) => (root.totalMicros > 0 ? ((micros / root.totalMicros) * 100).toFixed(2) : '0.00');

  // Lay out first (depth and x of each drawn frame), so the height follows the deepest drawn stack.
  const boxes: { node: FlameNode; depth: number; x: number; w: number }[] = [];
  const place = (node: FlameNode, depth: number, x: number) => {
    const w = node.totalMicros * scale;
    if (w < minWidth) return;
    boxes.push({ node, depth, x, w });
    let childX = x;
    for (const child of node.children) {
      place(child, depth + 1, childX);
      childX += child.totalMicros * scale;
    }
  };
  place(root, 0, MARGIN);
  const depth = boxes.reduce((max, box) => Math.max(max, box.depth), 0) + 1;
  const height = HEADER + depth * rowHeight + FOOTER;
  const bottom = HEADER + depth * rowHeight;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT_SIZE}">`,
    `<rect width="${width}" height="${height}" fill="#fdfdf8"/>`,
    `<text x="${MARGIN}" y="22" font-size="15" font-weight="bold">${escape(options.title)}</text>`,
  ];
  if (options.subtitle) out.push(`<text x="${MARGIN}" y="40" fill="#555555">${escape(options.subtitle)}</text>`);
  for (const { node, depth: d, x, w } of boxes) {
    const y = bottom - (d + 1) * rowHeight;
    const where = location(node.url, node.lineNumber);
    const title = `${node.functionName}${where ? ` (${where})` : ''} — ${ms(node.totalMicros)} ms, ${share(node.totalMicros)} % of busy; self ${ms(node.selfMicros)} ms, ${share(node.selfMicros)} %`;
    const label = fitLabel(node.functionName, w);
    out.push(
      `<g><title>${escape(title)}</title><rect x="${px(x)}" y="${y}" width="${px(w)}" height="${rowHeight - 1}" rx="2" fill="${node === root ? 'hsl(0, 0%, 85%)' : frameColor(node)}"/>` +
        (label ? `<text x="${px(x + 3)}" y="${y + rowHeight - 5}">${escape(label)}</text>` : '') +
        '</g>',
    );
  }
  // Legend: the colour families.
  let legendX = MARGIN;
  for (const kind of ['authtrail', 'package', 'node', 'native'] as const) {
    const sample = kind === 'native' ? frameColor({ functionName: '', url: '' }) : `hsl(${PALETTE[kind].hue[0]}, 78%, 63%)`;
    out.push(`<rect x="${legendX}" y="${bottom + 12}" width="12" height="12" fill="${sample}"/><text x="${legendX + 17}" y="${bottom + 22}" fill="#444444">${escape(PALETTE[kind].label)}</text>`);
    legendX += 24 + PALETTE[kind].label.length * CHAR_WIDTH;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
