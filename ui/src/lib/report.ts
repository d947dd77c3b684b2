// The session report as the dialog shows it: revenue per currency, the
// per-product table's columns and sort, and what the timeline chart
// plots (series per minute and a shaded band per explain window). The
// room server computed every figure; nothing here adds one up.

import type { ExplainWindow, MinutePoint, ProductFigures, SessionReport } from '../ipc';

/** Revenue per currency, formatted, largest first (`—` when there was none). */
export function revenueText(revenue: Record<string, number>, money: (minor: number, currency: string) => string): string {
  const parts = Object.entries(revenue)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([c, v]) => money(v, c));
  return parts.length ? parts.join(' + ') : '—';
}

/** The currency with the most revenue: the one the revenue column sorts by. */
export function mainCurrency(revenue: Record<string, number>): string | null {
  let best: string | null = null;
  let max = -1;
  for (const [c, v] of Object.entries(revenue)) {
    if (v > max || (v === max && best !== null && c < best)) {
      best = c;
      max = v;
    }
  }
  return best;
}

/** The product table's sortable columns. */
export type ProductColumn =
  | 'name'
  | 'explain_ms'
  | 'explains'
  | 'views'
  | 'clicks'
  | 'orders'
  | 'units'
  | 'revenue'
  | 'coupon_claims'
  | 'gift_value';

export const PRODUCT_COLUMNS: readonly ProductColumn[] = [
  'name',
  'explain_ms',
  'explains',
  'views',
  'clicks',
  'orders',
  'units',
  'revenue',
  'coupon_claims',
  'gift_value',
];

export type SortDir = 'asc' | 'desc';
export interface ProductSort {
  column: ProductColumn;
  dir: SortDir;
}

/** A column's value for sorting: numbers for every column but the name. */
export function columnValue(p: ProductFigures, column: ProductColumn, currency: string | null): number | string {
  switch (column) {
    case 'name':
      return p.name || p.goods_id;
    case 'views':
      return p.views_during + p.views_after;
    case 'clicks':
      return p.clicks_during + p.clicks_after;
    case 'revenue':
      return currency ? (p.revenue[currency] ?? 0) : 0;
    default:
      return p[column];
  }
}

/** The rows sorted by one column (numbers as numbers, names by locale); ties keep the server's order. */
export function sortProducts(rows: readonly ProductFigures[], sort: ProductSort, currency: string | null): ProductFigures[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows
    .map((p, i) => ({ p, i, v: columnValue(p, sort.column, currency) }))
    .sort((a, b) => {
      const c =
        typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v));
      return c * sign || a.i - b.i;
    })
    .map((r) => r.p);
}

/** The next sort after a click on `column`: the same column flips, a new one starts high-to-low (names A-Z). */
export function nextSort(current: ProductSort | null, column: ProductColumn): ProductSort {
  if (current?.column === column) return { column, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { column, dir: column === 'name' ? 'asc' : 'desc' };
}

// ---- the chart ----

/** Colours for explain windows, one per product in order of first appearance. */
export const BAND_COLORS: readonly (readonly [number, number, number])[] = [
  [76, 141, 255],
  [245, 166, 35],
  [62, 207, 142],
  [229, 115, 221],
  [255, 92, 92],
  [79, 195, 247],
  [200, 200, 90],
  [160, 130, 255],
];

export interface Band {
  goods_id: string;
  name: string;
  /** Unix ms. */
  start: number;
  end: number;
  rgb: readonly [number, number, number];
}

/** Where a window still open at the end of the report ends: the session's end, else a minute past the last point. */
function openEnd(report: SessionReport): number {
  const last = report.timeline[report.timeline.length - 1];
  return report.summary.ended_at ?? (last ? last.t + 60_000 : report.summary.started_at);
}

/** Explain windows as shaded bands, with a colour per product. */
export function explainBands(report: SessionReport, nameOf: (goodsId: string) => string): Band[] {
  const colors = new Map<string, readonly [number, number, number]>();
  const end = openEnd(report);
  return report.windows.map((w: ExplainWindow) => {
    let rgb = colors.get(w.goods_id);
    if (!rgb) {
      rgb = BAND_COLORS[colors.size % BAND_COLORS.length] as readonly [number, number, number];
      colors.set(w.goods_id, rgb);
    }
    return { goods_id: w.goods_id, name: nameOf(w.goods_id), start: w.start, end: w.end ?? end, rgb };
  });
}

/** One legend entry per product that was on screen, in order of first appearance. */
export function bandLegend(bands: readonly Band[]): Band[] {
  const seen = new Set<string>();
  return bands.filter((b) => (seen.has(b.goods_id) ? false : (seen.add(b.goods_id), true)));
}

export interface ChartSeries {
  /** Unix seconds (the chart's time axis). */
  x: number[];
  online: number[];
  barrage: number[];
  orders: number[];
}

/** The timeline as the chart's columns. */
export function chartSeries(timeline: readonly MinutePoint[]): ChartSeries {
  return {
    x: timeline.map((p) => p.t / 1000),
    online: timeline.map((p) => p.online),
    barrage: timeline.map((p) => p.barrage),
    orders: timeline.map((p) => p.orders),
  };
}

/**
 * The chart's time axis, in seconds: from the first minute to the end of
 * the session (or its last minute), and never shorter than one minute.
 * uPlot would otherwise stretch a single point (a short rehearsal) over
 * years of empty axis.
 */
export function chartRange(report: SessionReport, now: number = Date.now()): [number, number] {
  const first = report.timeline[0]?.t ?? report.summary.started_at;
  const from = Math.min(first, report.summary.started_at);
  const lastMinuteEnd = (report.timeline[report.timeline.length - 1]?.t ?? from) + 60_000;
  const end = report.summary.ended_at ?? now;
  const to = Math.max(from + 60_000, lastMinuteEnd, end);
  return [from / 1000, to / 1000];
}
