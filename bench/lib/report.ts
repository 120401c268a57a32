// Statistics, the printed table and the hand-written SVG chart.

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const MB = 1e6;
export const MiB = 1024 * 1024;
export const mbps = (bytes: number, ms: number): number => bytes / MB / (ms / 1000);
export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** A fixed-width table: the first row is the header; numbers right-aligned, text left-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 || /^[a-z]/i.test(c) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export interface ChartSeries {
  label: string;
  color: string;
  dashed?: boolean;
  /** One point per chunk size: [chunk MiB (0 = whole file), median, min, max]. */
  points: Array<[number, number, number, number]>;
}

export interface ChartLine {
  label: string;
  color: string;
  value: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Throughput against chunk size: our series as lines with min–max whiskers, the baselines as flat lines. */
export function chart(title: string, subtitle: string, series: ChartSeries[], lines: ChartLine[]): string {
  const W = 900;
  const H = 420;
  const L = 64;
  const R = 280;
  const T = 56;
  const B = 56;
  const chunks = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) =>
    a === 0 ? 1 : b === 0 ? -1 : a - b,
  );
  const values = [
    ...series.flatMap((s) => s.points.flatMap((p) => [p[2], p[3]])),
    ...lines.map((l) => l.value),
  ];
  const top = niceCeil(Math.max(...values) * 1.08);
  const x = (c: number) => L + ((chunks.indexOf(c) + 0.5) * (W - L - R)) / chunks.length;
  const y = (v: number) => T + (1 - v / top) * (H - T - B);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${L}" y="24" font-size="16" font-weight="600">${esc(title)}</text>`,
    `<text x="${L}" y="42" fill="#555">${esc(subtitle)}</text>`,
  );
  const step = top / 5;
  for (let v = 0; v <= top + 1e-9; v += step) {
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`,
      `<text x="${L - 8}" y="${y(v) + 4}" text-anchor="end" fill="#555">${Math.round(v)}</text>`,
    );
  }
  out.push(
    `<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle" fill="#333">MB/s (median)</text>`,
    `<text x="${(L + W - R) / 2}" y="${H - 14}" text-anchor="middle" fill="#333">chunk size</text>`,
  );
  for (const c of chunks)
    out.push(
      `<text x="${x(c)}" y="${H - B + 18}" text-anchor="middle">${c === 0 ? 'whole file' : `${c} MiB`}</text>`,
    );
  let legendY = T + 6;
  const legend = (color: string, label: string, dashed: boolean) => {
    out.push(
      `<line x1="${W - R + 14}" x2="${W - R + 38}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="2.5"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${W - R + 44}" y="${legendY + 4}">${esc(label)}</text>`,
    );
    legendY += 20;
  };
  for (const l of lines) {
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(l.value)}" y2="${y(l.value)}" stroke="${l.color}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    );
    legend(l.color, `${l.label} ${Math.round(l.value)}`, true);
  }
  for (const s of series) {
    const pts = s.points.map((p) => `${x(p[0])},${y(p[1])}`).join(' ');
    out.push(
      `<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="3 3"' : ''}/>`,
    );
    for (const [c, med, lo, hi] of s.points)
      out.push(
        `<line x1="${x(c)}" x2="${x(c)}" y1="${y(lo)}" y2="${y(hi)}" stroke="${s.color}" stroke-width="1"/>`,
        `<circle cx="${x(c)}" cy="${y(med)}" r="4" fill="${s.color}"><title>${esc(s.label)} ${c === 0 ? 'whole' : `${c} MiB`}: ${med.toFixed(1)} MB/s (${lo.toFixed(0)}–${hi.toFixed(0)})</title></circle>`,
      );
    legend(s.color, s.label, Boolean(s.dashed));
  }
  out.push('</svg>', '');
  return out.join('\n');
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
