// The report's timeline: online viewers (left axis), barrage and orders
// per minute (right axis), with each explain window shaded in its
// product's colour and a legend naming the products. Drawn by uPlot on a
// canvas; uPlot is loaded when the first chart is drawn (it stays out of
// the startup bundle), and its stylesheet is bundled by main.ts.
//
// uPlot styles its elements through the CSSOM (`el.style.x = …`), which
// the window's CSP (`style-src 'self'`) allows; it writes no style
// attribute or <style> element.

import type uPlot from 'uplot';
import { language, t } from '../i18n';
import type { SessionReport } from '../ipc';
import { h } from '../lib/dom';
import { bandLegend, chartRange, chartSeries, explainBands, type Band } from '../lib/report';

const HEIGHT = 240;
/** How opaque an explain window's band is. */
const BAND_ALPHA = 0.16;

export interface ReportChart {
  element: HTMLElement;
  destroy(): void;
}

/** Whether this page can draw on a canvas (jsdom in tests cannot). */
function canvasWorks(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

const rgba = (b: Band, a: number) => `rgba(${b.rgb[0]}, ${b.rgb[1]}, ${b.rgb[2]}, ${a})`;

/** Shades each explain window across the plotting area, under the series. */
/**
 * uPlot builds its number format from `navigator.language` when its
 * module loads. WebKitGTK reports the POSIX locale there as is, and a
 * desktop started with `LANG=C` gives "C", which `Intl` refuses, so the
 * module would fail to load and no chart would ever draw. Such a tag is
 * replaced by the app's language (the one the host chose) before the
 * first import.
 */
export function localeForUplot(): void {
  try {
    Intl.getCanonicalLocales(navigator.language);
  } catch {
    Object.defineProperty(navigator, 'language', { value: language(), configurable: true });
  }
}

function drawBands(u: uPlot, bands: readonly Band[]): void {
  const { ctx, bbox } = u;
  const left = bbox.left;
  const right = bbox.left + bbox.width;
  ctx.save();
  for (const b of bands) {
    const x0 = Math.max(left, u.valToPos(b.start / 1000, 'x', true));
    const x1 = Math.min(right, u.valToPos(b.end / 1000, 'x', true));
    if (!(x1 > x0)) continue;
    ctx.fillStyle = rgba(b, BAND_ALPHA);
    ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
  }
  ctx.restore();
}

/**
 * Builds the chart for `report` into a new element (`data-testid=report-chart`
 * holds the canvas). `nameOf` names a product for the legend.
 */
export function createReportChart(report: SessionReport, nameOf: (goodsId: string) => string): ReportChart {
  const plot = h('div', { class: 'report-plot', testid: 'report-chart' });
  const bands = explainBands(report, nameOf);
  const legend = h(
    'ul',
    { class: 'report-legend', testid: 'report-legend' },
    ...bandLegend(bands).map((b) => {
      const swatch = h('span', { class: 'swatch' });
      // CSSOM, not a style attribute: the CSP allows this.
      swatch.style.background = rgba(b, 0.8);
      return h('li', {}, swatch, h('span', { text: b.name }));
    }),
  );
  legend.hidden = bands.length === 0;
  const status = h('p', { class: 'hint', testid: 'report-chart-status' });
  const element = h('div', { class: 'report-chart' }, plot, legend, status);

  let chart: uPlot | null = null;
  let observer: ResizeObserver | null = null;
  let destroyed = false;

  if (report.timeline.length === 0) {
    status.textContent = t('report.no_timeline');
  } else if (!canvasWorks()) {
    status.textContent = t('report.chart_unavailable');
  } else {
    localeForUplot();
    void import('uplot').then(
      ({ default: UPlot }) => {
        if (destroyed) return;
        const s = chartSeries(report.timeline);
        const axis = { stroke: '#9aa1b2', grid: { stroke: 'rgba(255,255,255,0.06)' }, ticks: { stroke: 'rgba(255,255,255,0.1)' } };
        const opts: uPlot.Options = {
          width: plot.clientWidth || 720,
          height: HEIGHT,
          scales: { x: { time: true, range: chartRange(report) }, online: {}, rate: {} },
          series: [
            {},
            { label: t('report.series_online'), scale: 'online', stroke: '#4fc3f7', width: 2 },
            { label: t('report.series_barrage'), scale: 'rate', stroke: '#81c784', width: 1.5 },
            { label: t('report.series_orders'), scale: 'rate', stroke: '#ffb74d', width: 1.5 },
          ],
          axes: [
            axis,
            { ...axis, scale: 'online' },
            { ...axis, scale: 'rate', side: 1, grid: { show: false } },
          ],
          hooks: { drawClear: [(u: uPlot) => drawBands(u, bands)] },
        };
        try {
          chart = new UPlot(opts, [s.x, s.online, s.barrage, s.orders], plot);
        } catch (e) {
          status.textContent = t('report.chart_failed', { reason: e instanceof Error ? e.message : String(e) });
          return;
        }
        observer = new ResizeObserver(() => {
          const w = plot.clientWidth;
          if (chart && w > 0 && w !== chart.width) chart.setSize({ width: w, height: HEIGHT });
        });
        observer.observe(plot);
      },
      (e: unknown) => {
        status.textContent = t('report.chart_failed', { reason: e instanceof Error ? e.message : String(e) });
      },
    );
  }

  return {
    element,
    destroy() {
      destroyed = true;
      observer?.disconnect();
      chart?.destroy();
      chart = null;
    },
  };
}
