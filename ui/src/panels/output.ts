// Output: Go Live / Start Rehearsal / End (each confirmed), per-destination
// state, saved destinations, the canvas, and the rehearsal audience.
// When the session cannot stream (assistant mode) it holds no controls at all.

import type { Ctx } from '../ctx';
import { t } from '../i18n';
import { button, clear, field, h, setI18n, setText } from '../lib/dom';
import { LIMITS, type Mode } from '../ipc';
import { clamp } from '../lib/format';
import { CANVAS_PRESETS, validateCanvas } from '../lib/validate';
import { createDestinationForm } from './destinationForm';
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
  const phase = h('div', { class: 'phase-line', testid: 'phase' });
  const states = h('ul', { class: 'output-states' });
  const recording = h('p', { class: 'hint mono', testid: 'recording' });

  const start = mode === 'live' ? goLive : startRehearsal;
  const box = h('div', { class: 'output-actions' }, h('div', { class: 'row big-buttons' }, start, end), phase, states, recording);

  const render = () => {
    const s = store.session;
    start.hidden = !(s.phase === 'preview' || s.phase === 'starting');
    start.disabled = s.phase !== 'preview';
    end.hidden = !(s.phase === 'on_air' || s.phase === 'starting' || s.phase === 'ending');
    end.disabled = s.phase === 'ending';
    // A rehearsal is never on air: say so in its own words, not in red.
    const rehearsing = s.mode === 'rehearsal' && s.phase === 'on_air';
    setI18n(phase, rehearsing ? 'preview.badge_rehearsing' : `phase.${s.phase}`);
    phase.className = `phase-line phase-${rehearsing ? 'rehearsing' : s.phase}`;
    clear(states);
    for (const o of s.outputs) {
      const detail = o.detail ? o.detail : t(`output.state_${stateKey(o.state)}`);
      states.appendChild(
        h(
          'li',
          { class: `output-state state-${stateKey(o.state)}`, testid: 'output-state' },
          h('span', { class: 'output-name', text: o.name }),
          h('span', { class: 'output-detail', text: detail }),
        ),
      );
    }
    if (s.recording) setI18n(recording, 'output.recording', { path: s.recording });
    recording.hidden = !s.recording;
  };
  render();
  subs.add(store.on('session', render));
  return box;
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
  const preset = (w: number, hgt: number) => {
    width.value = String(w);
    height.value = String(hgt);
  };
  const landscape = button('output.landscape', () => preset(CANVAS_PRESETS.landscape.width, CANVAS_PRESETS.landscape.height), {
    class: 'btn btn-small',
    testid: 'canvas-landscape',
  });
  const portrait = button('output.portrait', () => preset(CANVAS_PRESETS.portrait.width, CANVAS_PRESETS.portrait.height), {
    class: 'btn btn-small',
    testid: 'canvas-portrait',
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
  };
  const lock = () => {
    const onAir = isOnAirPhase(store.session.phase);
    for (const el of [width, height, fps, kbps, landscape, portrait, apply]) el.disabled = onAir;
    locked.hidden = !onAir;
  };
  fill();
  lock();
  subs.add(store.on('settings', fill), store.on('session', lock));
  return h(
    'details',
    { class: 'section', attrs: { open: true } },
    h('summary', { i18n: 'output.canvas' }),
    h('div', { class: 'row' }, landscape, portrait),
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
