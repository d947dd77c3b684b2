// Output: Go Live / Start Rehearsal / End (each confirmed), per-destination
// state, saved destinations, the canvas, and the rehearsal audience.
// When the session cannot stream (assistant mode) it holds no controls at all.

import type { Ctx } from '../ctx';
import { t } from '../i18n';
import { button, clear, field, h, setI18n, setText } from '../lib/dom';
import { CANVAS_PRESETS, LIMITS, type CanvasPreset, type Mode, type OutputView } from '../ipc';
import { clamp } from '../lib/format';
import { validateCanvas } from '../lib/validate';
import { createDestinationForm } from './destinationForm';
import { destinationOptionsRow } from './destinationOptions';
import { isOnAirPhase } from './sources';
import { Subs, type PanelDef } from './panel';

export const MASKED_SECRET = '••••';

/** The rehearsal audience sliders: ranges from the session, steps a UI choice. */
export const AUDIENCE_SLIDERS = {
  viewers: { ...LIMITS.rehearsal_viewers, step: 10 },
  barrage_per_s: { ...LIMITS.rehearsal_barrage_per_s, step: 1 },
  gifts_per_s: { ...LIMITS.rehearsal_gifts_per_s, step: 0.5 },
  take_part: { ...LIMITS.rehearsal_take_part, step: 0.05 },
  card_clicks_per_s: { ...LIMITS.rehearsal_card_clicks_per_s, step: 0.5 },
} as const;
type AudienceKey = keyof typeof AUDIENCE_SLIDERS;
const AUDIENCE_KEYS = Object.keys(AUDIENCE_SLIDERS) as AudienceKey[];

/** A slider's value as shown: the share taking part as a percentage. */
function audienceText(k: AudienceKey, v: number): string {
  return k === 'take_part' ? `${Math.round(v * 100)}%` : String(v);
}

function actionsBlock(ctx: Ctx, subs: Subs, mode: Mode): HTMLElement {
  const { store, actions } = ctx;
  const goLive = button('output.go_live', () => void actions.requestGoLive(), {
    class: 'btn btn-live',
    testid: 'go-live',
  });
  const startRehearsal = button('output.start_rehearsal', () => void actions.requestStartRehearsal(), {
    class: 'btn btn-rehearsal',
    testid: 'start-rehearsal',
  });
  const end = button(mode === 'rehearsal' ? 'output.end_rehearsal' : 'output.end', () => void actions.requestEnd(), {
    class: 'btn btn-danger',
    testid: 'end-live',
  });
  // Pause: the room says "paused", the slate covers the picture and the
  // microphone goes quiet; Resume undoes all three.
  const pause = button('output.pause', () => void actions.pauseBroadcast(), { class: 'btn', testid: 'pause' });
  const resume = button('output.resume', () => void actions.resumeBroadcast(), { class: 'btn btn-primary', testid: 'resume' });
  const phase = h('div', { class: 'phase-line', testid: 'phase' });
  const states = h('ul', { class: 'output-states' });
  const recording = h('p', { class: 'hint mono', testid: 'recording' });

  const start = mode === 'live' ? goLive : startRehearsal;
  const box = h(
    'div',
    { class: 'output-actions' },
    h('div', { class: 'row big-buttons' }, start, end),
    h('div', { class: 'row' }, pause, resume),
    phase,
    states,
    recording,
  );

  const render = () => {
    const s = store.session;
    start.hidden = !(s.phase === 'preview' || s.phase === 'starting');
    start.disabled = s.phase !== 'preview';
    end.hidden = !(s.phase === 'on_air' || s.phase === 'starting' || s.phase === 'ending');
    end.disabled = s.phase === 'ending';
    pause.hidden = s.phase !== 'on_air' || s.paused;
    resume.hidden = s.phase !== 'on_air' || !s.paused;
    // A rehearsal is never on air: say so in its own words, not in red.
    const rehearsing = s.mode === 'rehearsal' && s.phase === 'on_air';
    setI18n(phase, s.paused ? 'output.paused' : rehearsing ? 'preview.badge_rehearsing' : `phase.${s.phase}`);
    phase.className = `phase-line phase-${rehearsing ? 'rehearsing' : s.phase}`;
    clear(states);
    countdowns.clear();
    for (const o of s.outputs) {
      const detail = h('span', { class: 'output-detail' });
      const reconnect =
        o.state === 'reconnecting' && mode === 'live'
          ? button('output.reconnect_now', () => void actions.reconnectNow(o.name), {
              class: 'btn btn-small',
              testid: 'reconnect-now',
            })
          : null;
      countdowns.set(detail, o);
      states.appendChild(
        h(
          'li',
          { class: `output-state state-${stateKey(o.state)}`, testid: 'output-state' },
          h('span', { class: 'output-name', text: o.name }),
          detail,
          reconnect,
        ),
      );
    }
    tick();
    if (s.recording) setI18n(recording, 'output.recording', { path: s.recording });
    recording.hidden = !s.recording;
  };
  // Each output's words, the reconnect countdown counted down here
  // between the session's views.
  const countdowns = new Map<HTMLElement, OutputView>();
  const tick = () => {
    for (const [el, o] of countdowns) setText(el, outputDetail(o, Date.now()));
  };
  render();
  subs.add(store.on('session', render));
  subs.interval(tick, 1000);
  return box;
}

/** An output's state in words: the countdown while it reconnects. */
export function outputDetail(o: OutputView, nowMs: number): string {
  if (o.state === 'reconnecting' && o.retry) {
    const s = Math.max(0, Math.ceil((o.retry.next_try_at_ms - nowMs) / 1000));
    return t('output.retrying', { s, attempt: o.retry.attempt, of: o.retry.of });
  }
  if (o.state === 'failed' && o.detail) return o.detail;
  return t(`output.state_${stateKey(o.state)}`);
}

function stateKey(state: string): 'connecting' | 'live' | 'reconnecting' | 'failed' | 'stopped' | 'unknown' {
  return (['connecting', 'live', 'reconnecting', 'failed', 'stopped'] as const).find((s) => s === state) ?? 'unknown';
}

function destinationsBlock(ctx: Ctx, subs: Subs, mode: Mode): HTMLElement {
  const { store, actions } = ctx;
  const list = h('ul', { class: 'dest-list', testid: 'dest-list' });
  const empty = h('p', { class: 'hint', i18n: 'output.no_destinations' });
  const form = createDestinationForm((input) => actions.saveDestination(input));

  const render = () => {
    clear(list);
    const onAir = isOnAirPhase(store.session.phase);
    const chosen = new Set(store.chosenDestinations());
    for (const d of store.destinations) {
      const check = h('input', { attrs: { type: 'checkbox', 'aria-label': d.name } });
      check.checked = chosen.has(d.name);
      check.disabled = onAir || mode !== 'live';
      check.addEventListener('change', () => {
        const sel = new Set(store.chosenDestinations());
        if (check.checked) sel.add(d.name);
        else sel.delete(d.name);
        store.selectedDestinations = sel;
      });
      const bitrate = destinationOptionsRow(d, onAir, (o) => void actions.setDestinationOptions(d.name, o));
      const edit = button('common.edit', () => form.edit(d), { class: 'btn btn-small' });
      const remove = button('output.remove', () => void actions.removeDestination(d.name), {
        class: 'btn btn-small btn-quiet',
      });
      edit.disabled = remove.disabled = onAir;
      list.appendChild(
        h(
          'li',
          { class: 'dest-item', testid: 'dest-item' },
          check,
          h(
            'div',
            { class: 'dest-main' },
            h('div', { class: 'dest-title' }, h('strong', { text: d.name }), h('span', { class: 'tag', i18n: `dest.kind_${d.kind}` })),
            h('div', { class: 'dest-summary mono', text: d.summary }),
            d.has_secret
              ? h('div', { class: 'dest-secret' }, h('span', { i18n: 'dest.secret' }), h('span', { class: 'mono', text: ` ${MASKED_SECRET}` }))
              : null,
            bitrate,
          ),
          h('div', { class: 'dest-buttons' }, edit, remove),
        ),
      );
    }
    empty.hidden = store.destinations.length > 0;
  };
  render();
  subs.add(store.on('destinations', render), store.on('session', render));
  return h(
    'details',
    { class: 'section', attrs: { open: true } },
    h('summary', { i18n: 'output.destinations' }),
    mode === 'rehearsal' ? h('p', { class: 'hint', i18n: 'output.dest_rehearsal_note' }) : null,
    list,
    empty,
    form.element,
  );
}

function canvasBlock(ctx: Ctx, subs: Subs): HTMLElement {
  const { store, actions } = ctx;
  const num = (id: string, min: number, max: number, step = 1) =>
    h('input', { class: 'input', testid: id, attrs: { type: 'number', min, max, step, id } });
  const width = num('canvas-width', LIMITS.canvas_side.min, LIMITS.canvas_side.max, 2);
  const height = num('canvas-height', LIMITS.canvas_side.min, LIMITS.canvas_side.max, 2);
  const fps = num('canvas-fps', LIMITS.fps.min, LIMITS.fps.max);
  const kbps = num('canvas-kbps', LIMITS.video_kbps.min, LIMITS.video_kbps.max, 50);
  const err = h('div', { class: 'field-error', testid: 'form-error' });
  err.hidden = true;
  // One click fills the whole canvas (size, rate and the suggested
  // bitrate); Apply then sets it, as for typed values.
  const presets = h(
    'select',
    { class: 'input', testid: 'canvas-preset', attrs: { 'aria-label': t('output.preset') } },
    h('option', { i18n: 'output.preset_custom', attrs: { value: '' } }),
    ...CANVAS_PRESETS.map((p) => h('option', { text: presetLabel(p), attrs: { value: p.id } })),
  );
  presets.addEventListener('change', () => {
    const p = CANVAS_PRESETS.find((x) => x.id === presets.value);
    if (!p) return;
    width.value = String(p.width);
    height.value = String(p.height);
    fps.value = String(p.fps);
    kbps.value = String(p.video_kbps);
  });
  const apply = button(
    'output.apply_canvas',
    async () => {
      const r = validateCanvas({ width: width.value, height: height.value, fps: fps.value, video_kbps: kbps.value });
      if (!r.ok) {
        err.textContent = r.errors.map((e) => t(e.key, e.params)).join(' · ');
        err.hidden = false;
        return;
      }
      err.hidden = true;
      await actions.setCanvas(r.canvas);
    },
    { class: 'btn btn-primary', testid: 'canvas-apply' },
  );
  const locked = h('p', { class: 'hint warn', i18n: 'output.canvas_locked' });
  const fill = () => {
    const c = store.settings.canvas;
    for (const [el, v] of [
      [width, c.width],
      [height, c.height],
      [fps, c.fps],
      [kbps, c.video_kbps],
    ] as const) {
      if (document.activeElement !== el) el.value = String(v);
    }
    const same = CANVAS_PRESETS.find(
      (p) => p.width === c.width && p.height === c.height && p.fps === c.fps && p.video_kbps === c.video_kbps,
    );
    presets.value = same?.id ?? '';
  };
  const lock = () => {
    const onAir = isOnAirPhase(store.session.phase);
    for (const el of [width, height, fps, kbps, presets, apply]) el.disabled = onAir;
    locked.hidden = !onAir;
  };
  fill();
  lock();
  subs.add(store.on('settings', fill), store.on('session', lock));
  return h(
    'details',
    { class: 'section', attrs: { open: true } },
    h('summary', { i18n: 'output.canvas' }),
    field('output.preset', presets),
    h(
      'div',
      { class: 'grid2' },
      field('output.width', width),
      field('output.height', height),
      field('output.fps', fps),
      field('output.kbps', kbps),
    ),
    err,
    h('div', { class: 'row' }, apply),
    locked,
  );
}

/** "Landscape 1280×720 · 30 fps · 2500 kbps", in the window's language. */
export function presetLabel(p: CanvasPreset): string {
  const key = p.height > p.width ? 'output.preset_portrait' : 'output.preset_landscape';
  return t(key, { w: p.width, h: p.height, fps: p.fps, kbps: p.video_kbps });
}

function audienceBlock(ctx: Ctx, subs: Subs): HTMLElement {
  const { store, actions } = ctx;
  const keys = AUDIENCE_KEYS;
  const inputs = {} as Record<AudienceKey, HTMLInputElement>;
  const values = {} as Record<AudienceKey, HTMLElement>;
  const rows = keys.map((k) => {
    const lim = AUDIENCE_SLIDERS[k];
    const input = h('input', {
      class: 'range',
      testid: `audience-${k}`,
      attrs: { type: 'range', min: lim.min, max: lim.max, step: lim.step, id: `audience-${k}` },
    });
    const value = h('span', { class: 'value' });
    inputs[k] = input;
    values[k] = value;
    input.addEventListener('input', () => {
      setText(value, audienceText(k, Number(input.value)));
      const audience = { ...store.settings.rehearsal };
      for (const key of keys) audience[key] = clamp(Number(inputs[key].value), AUDIENCE_SLIDERS[key].min, AUDIENCE_SLIDERS[key].max);
      actions.setAudience(audience);
    });
    return h(
      'div',
      { class: 'field slider-row' },
      h('label', { i18n: `rehearsal.${k}`, attrs: { for: `audience-${k}` } }),
      input,
      value,
    );
  });
  const fill = () => {
    const a = store.settings.rehearsal;
    for (const k of keys) {
      if (document.activeElement !== inputs[k]) inputs[k].value = String(a[k]);
      setText(values[k], audienceText(k, a[k]));
    }
  };
  fill();
  subs.add(store.on('settings', fill));
  return h(
    'details',
    { class: 'section', testid: 'audience-sim', attrs: { open: true } },
    h('summary', { i18n: 'rehearsal.audience' }),
    h('p', { class: 'hint', i18n: 'rehearsal.audience_hint' }),
    ...rows,
  );
}

export const outputPanel: PanelDef = {
  id: 'output',
  title: 'panel.output',
  create(ctx) {
    const { store } = ctx;
    const el = h('div', { class: 'panel-body output' });
    let subs = new Subs();
    let shape = '';

    const build = () => {
      const s = store.session;
      const next = `${s.mode}|${s.can_stream}|${s.role}`;
      if (next === shape) return;
      shape = next;
      subs.dispose();
      subs = new Subs();
      clear(el);
      if (!s.can_stream || !s.mode) {
        // No stream controls exist at all in this state.
        el.appendChild(
          h(
            'div',
            { class: 'notice', testid: 'output-unavailable' },
            h('p', { i18n: s.mode === 'assistant' ? 'output.assistant_note' : 'output.no_mode_note' }),
          ),
        );
        return;
      }
      el.appendChild(actionsBlock(ctx, subs, s.mode));
      if (s.mode === 'rehearsal') el.appendChild(audienceBlock(ctx, subs));
      if (s.role !== 'assistant') el.appendChild(destinationsBlock(ctx, subs, s.mode));
      el.appendChild(canvasBlock(ctx, subs));
    };
    build();
    const off = store.on('session', build);
    return {
      element: el,
      dispose() {
        off();
        subs.dispose();
      },
    };
  },
};
