// A small line-chart writer for the soak (no dependency): panels stacked vertically, sharing the
// x axis (minutes), each with its own y axis from 0, grid lines, tick labels and an optional
// vertical marker (the end of the warm-up). Gaps (null values) break the line.

export interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly color: string;
  /** [x, y]; y null = no value for that sample. */
  readonly points: readonly (readonly [number, number | null])[];
}

export interface Chart {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly panels: readonly Panel[];
  /** x of a dashed vertical line drawn on every panel, with its label. */
  readonly marker?: { readonly x: number; readonly label: string };
  readonly width?: number;
  readonly panelHeight?: number;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** 1, 2 or 5 × 10^n, the smallest such step ≥ range / count. */
export function niceStep(range: number, count: number): number {
  if (!(range > 0)) return 1;
  const raw = range / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / magnitude;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
}

const label = (value: number) => {
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 10 || Number.isInteger(value)) return String(Math.round(value * 10) / 10);
  return String(Math.round(value * 1000) / 1000);
};

export function lineChartSvg(chart: Chart): string {
  const width = chart.width ?? 960;
  const panelHeight = chart.panelHeight ?? 200;
  const left = 80;
  const right = 24;
  const header = chart.subtitle ? 62 : 44;
  const gap = 46;
  const footer = 40;
  const plotWidth = width - left - right;
  const plotHeight = panelHeight - 30;
  const height = header + chart.panels.length * (panelHeight + gap) - gap + footer;

  const xs = chart.panels.flatMap((p) => p.points.map(([x]) => x));
  const xMax = Math.max(1e-9, ...xs, chart.marker?.x ?? 0);
  const xStep = niceStep(xMax, 10);
  // A point a hair past a tick (a window ends a few ms late) does not add a whole empty step.
  const xEnd = Math.max(1, Math.ceil(xMax / xStep - 0.02)) * xStep;
  const xPos = (x: number) => left + (x / xEnd) * plotWidth;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="24" font-size="16" font-weight="bold">${escape(chart.title)}</text>`,
  ];
  if (chart.subtitle) out.push(`<text x="${left}" y="44" fill="#555555">${escape(chart.subtitle)}</text>`);

  chart.panels.forEach((panel, index) => {
    const top = header + index * (panelHeight + gap) + 20;
    const values = panel.points.map(([, y]) => y).filter((y): y is number => y !== null && Number.isFinite(y));
    const yMax = Math.max(...values, 0);
    const yStep = niceStep(yMax > 0 ? yMax : 1, 5);
    const yEnd = Math.max(yStep, Math.ceil(yMax / yStep) * yStep);
    const yPos = (y: number) => top + plotHeight - (y / yEnd) * plotHeight;

    out.push(`<text x="${left}" y="${top - 8}" font-size="13" font-weight="bold">${escape(panel.title)}${panel.unit ? ` (${escape(panel.unit)})` : ''}</text>`);
    for (let y = 0; y <= yEnd + yStep / 1000; y += yStep) {
      out.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${yPos(y).toFixed(1)}" y2="${yPos(y).toFixed(1)}" stroke="#e4e4e4"/>`);
      out.push(`<text x="${left - 6}" y="${(yPos(y) + 4).toFixed(1)}" text-anchor="end" fill="#444444">${label(y)}</text>`);
    }
    for (let x = 0; x <= xEnd + xStep / 1000; x += xStep) {
      out.push(`<line x1="${xPos(x).toFixed(1)}" x2="${xPos(x).toFixed(1)}" y1="${top}" y2="${top + plotHeight}" stroke="#f0f0f0"/>`);
      out.push(`<text x="${xPos(x).toFixed(1)}" y="${top + plotHeight + 15}" text-anchor="middle" fill="#444444">${label(x)}</text>`);
    }
    out.push(`<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999999"/>`);
    if (chart.marker) {
      const mx = xPos(chart.marker.x).toFixed(1);
      out.push(`<line x1="${mx}" x2="${mx}" y1="${top}" y2="${top + plotHeight}" stroke="#888888" stroke-dasharray="4 3"/>`);
      if (index === 0) out.push(`<text x="${Number(mx) + 4}" y="${top + 12}" fill="#666666">${escape(chart.marker.label)}</text>`);
    }
    // One polyline per run of values (a null breaks it); a lone value is a dot.
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) out.push(`<polyline fill="none" stroke="${panel.color}" stroke-width="1.6" stroke-linejoin="round" points="${run.join(' ')}"/>`);
      else if (run.length === 1) {
        const [cx, cy] = (run[0] ?? '0,0').split(',');
        out.push(`<circle cx="${cx}" cy="${cy}" r="2" fill="${panel.color}"/>`);
      }
      run = [];
    };
    for (const [x, y] of panel.points) {
      if (y === null || !Number.isFinite(y)) flush();
      else run.push(`${xPos(x).toFixed(1)},${yPos(y).toFixed(1)}`);
    }
    flush();
    if (values.length === 0) out.push(`<text x="${left + plotWidth / 2}" y="${top + plotHeight / 2}" text-anchor="middle" fill="#999999">no values</text>`);
  });

  out.push(`<text x="${left + plotWidth / 2}" y="${height - 10}" text-anchor="middle" fill="#444444">${escape(chart.xLabel)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
