import { describe, expect, it } from 'vitest';
import { report } from '../test/commerce';
import { money } from './format';
import { BAND_COLORS, bandLegend, chartRange, chartSeries, explainBands, mainCurrency, nextSort, revenueText, sortProducts } from './report';

const m = (minor: number, c: string) => money(minor, c, 'en');

describe('report helpers', () => {
  it('formats revenue per currency, largest first', () => {
    expect(revenueText({ USD: 1250, CNY: 69_300 }, m)).toBe('CN¥693.00 + $12.50');
    expect(revenueText({}, m)).toBe('—');
    expect(revenueText({ CNY: 0 }, m)).toBe('—');
    expect(mainCurrency({ USD: 1250, CNY: 69_300 })).toBe('CNY');
    expect(mainCurrency({})).toBeNull();
  });

  it('sorts products by a column as numbers, ties in the server’s order', () => {
    const rows = report().products;
    const ids = (s: ReturnType<typeof sortProducts>) => s.map((p) => p.goods_id);
    // 600000, 90000, 5000: as strings "90000" would come first.
    expect(ids(sortProducts(rows, { column: 'explain_ms', dir: 'desc' }, 'CNY'))).toEqual(['p2', 'p1', 'p3']);
    expect(ids(sortProducts(rows, { column: 'explain_ms', dir: 'asc' }, 'CNY'))).toEqual(['p3', 'p1', 'p2']);
    expect(ids(sortProducts(rows, { column: 'revenue', dir: 'desc' }, 'CNY'))).toEqual(['p3', 'p2', 'p1']);
    expect(ids(sortProducts(rows, { column: 'explains', dir: 'desc' }, 'CNY'))).toEqual(['p1', 'p2', 'p3']);
    expect(ids(sortProducts(rows, { column: 'name', dir: 'asc' }, 'CNY'))).toEqual(['p1', 'p3', 'p2']);
  });

  it('a click on a new column sorts high to low (names A to Z), a second click flips', () => {
    const a = nextSort(null, 'orders');
    expect(a).toEqual({ column: 'orders', dir: 'desc' });
    expect(nextSort(a, 'orders')).toEqual({ column: 'orders', dir: 'asc' });
    expect(nextSort(a, 'name')).toEqual({ column: 'name', dir: 'asc' });
  });

  it('shades each explain window in its product’s colour, an open one to the session’s end', () => {
    const r = report();
    const bands = explainBands(r, (id) => `name of ${id}`);
    expect(bands.map((b) => [b.goods_id, b.start, b.end])).toEqual([
      ['p1', r.windows[0]!.start, r.windows[0]!.end],
      ['p2', r.windows[1]!.start, r.summary.ended_at],
    ]);
    expect(bands[0]!.rgb).toEqual(BAND_COLORS[0]);
    expect(bands[1]!.rgb).toEqual(BAND_COLORS[1]);
    // A product explained twice keeps its colour and one legend entry.
    r.windows.push({ ...r.windows[0]!, start: r.windows[0]!.start + 200_000, end: null });
    r.summary.ended_at = null;
    const again = explainBands(r, (id) => id);
    expect(again[2]!.rgb).toEqual(BAND_COLORS[0]);
    expect(again[2]!.end).toBe(r.timeline.at(-1)!.t + 60_000);
    expect(bandLegend(again).map((b) => b.goods_id)).toEqual(['p1', 'p2']);
  });

  it('plots the timeline in seconds with online, barrage and orders per minute', () => {
    const r = report();
    const s = chartSeries(r.timeline);
    expect(s.x).toEqual(r.timeline.map((p) => p.t / 1000));
    expect(s.online).toEqual([50, 80, 60]);
    expect(s.barrage).toEqual([20, 35, 10]);
    expect(s.orders).toEqual([1, 4, 2]);
  });

  it('gives a short session a one-minute axis, not years around one point', () => {
    const r = report();
    const t = 1_800_000_000_000;
    const short = {
      ...r,
      summary: { ...r.summary, started_at: t + 24_000, ended_at: t + 29_000 },
      timeline: [{ ...r.timeline[0]!, t }],
    };
    expect(chartRange(short)).toEqual([t / 1000, t / 1000 + 60]);
    // A long one spans its minutes and its end.
    const long = { ...short, summary: { ...short.summary, ended_at: t + 200_000 } };
    expect(chartRange(long)).toEqual([t / 1000, (t + 200_000) / 1000]);
    // A running session runs to now.
    const running = { ...short, summary: { ...short.summary, ended_at: null } };
    expect(chartRange(running, t + 90_000)).toEqual([t / 1000, (t + 90_000) / 1000]);
  });
});
