// Stats: encoder fps, dropped frames, bitrate, CPU, the preview's own fps
// and latency, per-output bitrate, and a 5-minute chart.

import { t } from '../i18n';
import { clear, h, setText } from '../lib/dom';
import { niceMax, Ring, STATS_HISTORY, type StatsSample } from '../lib/ring';
import type { StatsView } from '../ipc';
import { Subs, type PanelDef } from './panel';

/** The chart's history outlives the panel (closing Stats keeps the samples). */
export const statsHistory = new Ring<StatsSample>(STATS_HISTORY);

export function recordStats(s: StatsView, now = Date.now()): void {
  statsHistory.push({
    t: now,
    fps: s.fps,
    video_kbps: s.video_kbps,
    cpu_percent: s.cpu_percent,
    dropped: s.dropped,
  });
}

const SERIES = [
  { key: 'fps', color: '#4fc3f7', floor: 30 },
  { key: 'video_kbps', color: '#81c784', floor: 1000 },
  { key: 'cpu_percent', color: '#ffb74d', floor: 100 },
] as const;

function drawChart(canvas: HTMLCanvasElement, samples: StatsSample[]): void {
  const ctx = typeof canvas.getContext === 'function' ? canvas.getContext('2d') : null;
  if (!ctx) return;
  const w = canvas.clientWidth || 300;
  const hgt = canvas.clientHeight || 120;
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(hgt * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(hgt * dpr);
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, hgt);
  ctx.strokeStyle = 'rgba(255,255,255,0.08)';
  ctx.lineWidth = 1;
  for (let i = 1; i < 4; i++) {
    const y = Math.round((hgt * i) / 4) + 0.5;
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(w, y);
    ctx.stroke();
  }
  if (samples.length < 2) return;
  const step = w / (STATS_HISTORY - 1);
  const x0 = w - (samples.length - 1) * step;
  for (const s of SERIES) {
    const vals = samples.map((p) => p[s.key]);
    const max = niceMax(vals, s.floor);
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    vals.forEach((v, i) => {
      const x = x0 + i * step;
      const y = hgt - 2 - (Math.max(0, v) / max) * (hgt - 4);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }
}

export const statsPanel: PanelDef = {
  id: 'stats',
  title: 'panel.stats',
  create(ctx) {
    const { store } = ctx;
    const subs = new Subs();
    const cell = (labelKey: Parameters<typeof t>[0], testid: string, unitKey?: Parameters<typeof t>[0]) => {
      const value = h('span', { class: 'stat-value', testid, text: '0' });
      return {
        value,
        el: h(
          'div',
          { class: 'stat' },
          h('span', { class: 'stat-label', i18n: labelKey }),
          h('span', { class: 'stat-num' }, value, unitKey ? h('span', { class: 'stat-unit', i18n: unitKey }) : null),
        ),
      };
    };
    const fps = cell('stats.fps', 'stats-fps');
    const dropped = cell('stats.dropped', 'stats-dropped');
    const kbps = cell('stats.bitrate', 'stats-bitrate', 'unit.kbps');
    const cpu = cell('stats.cpu', 'stats-cpu', 'unit.percent');
    const pfps = cell('stats.preview_fps', 'stats-preview-fps');
    const plat = cell('stats.preview_latency', 'stats-preview-latency', 'unit.ms');
    const waiting = h('p', { class: 'hint', i18n: 'stats.waiting' });
    const outputs = h('ul', { class: 'stat-outputs' });
    const chart = h('canvas', { class: 'stats-chart', testid: 'stats-chart' });
    const legend = h(
      'div',
      { class: 'legend' },
      ...SERIES.map((s) => {
        const swatch = h('span', { class: 'swatch' });
        swatch.style.backgroundColor = s.color;
        return h('span', { class: 'legend-item' }, swatch, h('span', { i18n: `stats.series_${s.key}` }));
      }),
      h('span', { class: 'legend-item dim', i18n: 'stats.window' }),
    );
    const el = h(
      'div',
      { class: 'panel-body stats' },
      h('div', { class: 'stat-grid' }, fps.el, dropped.el, kbps.el, cpu.el, pfps.el, plat.el),
      waiting,
      outputs,
      chart,
      legend,
    );

    const render = () => {
      const s = store.stats;
      waiting.hidden = s !== null;
      if (!s) return;
      setText(fps.value, s.fps.toFixed(1));
      setText(dropped.value, String(s.dropped));
      setText(kbps.value, String(Math.round(s.video_kbps)));
      setText(cpu.value, String(Math.round(s.cpu_percent)));
      clear(outputs);
      // Output rows belong to a broadcast: once it ends, the last sample's
      // "live" rows would be stale (the preview sends none of its own).
      const phase = store.session?.phase;
      const onAir = phase === 'starting' || phase === 'on_air' || phase === 'ending';
      for (const o of onAir ? s.outputs : []) {
        outputs.appendChild(
          h(
            'li',
            { class: `stat-output state-${o.state}` },
            h('span', { class: 'output-name', text: o.name }),
            h('span', { class: 'output-detail', text: `${Math.round(o.kbps)} kbps · ${o.state}` }),
          ),
        );
      }
      drawChart(chart, statsHistory.toArray());
    };
    const renderPreview = () => {
      const p = ctx.preview.stats();
      setText(pfps.value, String(p.fps));
      setText(plat.value, String(p.latency_ms));
      plat.value.classList.toggle('na', p.frames === 0);
    };
    render();
    renderPreview();
    subs.add(store.on('stats', render));
    subs.add(store.on('session', render));
    subs.interval(renderPreview, 500);
    return { element: el, dispose: () => subs.dispose() };
  },
};
