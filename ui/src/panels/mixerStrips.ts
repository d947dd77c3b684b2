// The mixer's strips in the Audio panel: one per input (microphone, the
// main video's sound, a media file's sound, desktop audio), each with a
// meter and peak hold, a gain fader, mute and monitor (heard in the
// ear-return), and a way to add and remove strips. What each kind of
// source allows (one of a kind, monitorable) comes from the session's
// MIXER_KINDS; the session checks every change again.

import { t, type MessageKey } from '../i18n';
import { LIMITS, MIXER_KINDS, type InputLevel, type MixerInput, type MixerSource } from '../ipc';
import { button, clear, h, setText, show } from '../lib/dom';
import { clamp } from '../lib/format';
import { createMeter, STALE_MS, type Meter } from '../components/meter';
import type { Ctx } from '../ctx';
import type { Subs } from './panel';

type Kind = MixerSource['kind'];

const kindInfo = (kind: string) => MIXER_KINDS.find((k) => k.kind === kind);
const kindLabel = (kind: string) => `audio.kind_${kind}` as MessageKey;

/** A strip's name: a file by its file name, the others by their kind. */
export function stripName(input: MixerInput): string {
  if (input.source.kind === 'file') {
    const parts = input.source.path.split(/[\\/]/);
    return parts[parts.length - 1] || input.source.path;
  }
  return t(kindLabel(input.source.kind));
}

interface Strip {
  el: HTMLElement;
  meter: Meter;
  idle: HTMLElement;
  gain: HTMLInputElement;
  gainText: HTMLElement;
  mute: HTMLInputElement;
  monitor: HTMLInputElement;
  lastSeen: number;
}

export function mixerStrips(ctx: Ctx, _subs: Subs) {
  const { store, actions } = ctx;
  const list = h('div', { class: 'mixer-strips', testid: 'mixer-strips' });
  const strips = new Map<string, Strip>();
  let shownFor = '';

  const kindSel = h('select', { class: 'input', testid: 'mixer-kind' });
  const pathInput = h('input', {
    class: 'input',
    testid: 'mixer-path',
    attrs: { type: 'text', spellcheck: 'false' },
  });
  pathInput.placeholder = t('audio.path_ph');
  const addBtn = button('audio.add_input', () => void add(), { class: 'btn btn-small', testid: 'mixer-add' });
  const addRow = h('div', { class: 'row mixer-add' }, kindSel, pathInput, addBtn);
  kindSel.addEventListener('change', () => show(pathInput, kindSel.value === 'file'));

  async function add(): Promise<void> {
    const kind = kindSel.value as Kind;
    let source: MixerSource;
    if (kind === 'file') {
      const path = pathInput.value.trim();
      if (!path) {
        ctx.toast.show(t('sources.path_required'), 'error');
        pathInput.focus();
        return;
      }
      source = { kind, path };
    } else {
      source = { kind } as MixerSource;
    }
    if (await actions.mixer.add(source)) pathInput.value = '';
  }

  const send = (id: string, change: (i: MixerInput) => MixerInput) => {
    const input = store.settings.mixer.find((i) => i.id === id);
    if (input) actions.mixer.setInput(change(input));
  };

  const makeStrip = (input: MixerInput): Strip => {
    const id = input.id;
    const meter = createMeter(`mixer-meter-${id}`);
    const idle = h('span', { class: 'hint', i18n: 'audio.not_playing' });
    const gain = h('input', {
      class: 'range',
      testid: `mixer-gain-${id}`,
      attrs: { type: 'range', min: LIMITS.gain_db.min, max: LIMITS.gain_db.max, step: 0.5 },
    });
    const gainText = h('span', { class: 'value' });
    const mute = h('input', { testid: `mixer-mute-${id}`, attrs: { type: 'checkbox' } });
    const monitor = h('input', { testid: `mixer-monitor-${id}`, attrs: { type: 'checkbox' } });
    // Desktop audio is already heard on this computer: the session
    // refuses to monitor it, and the box says so before it is clicked.
    monitor.disabled = !kindInfo(input.source.kind)?.monitorable;
    gain.addEventListener('input', () => {
      const db = clamp(Number(gain.value), LIMITS.gain_db.min, LIMITS.gain_db.max);
      setText(gainText, `${db.toFixed(1)} dB`);
      send(id, (i) => ({ ...i, gain_db: db }));
    });
    mute.addEventListener('change', () => send(id, (i) => ({ ...i, muted: mute.checked })));
    monitor.addEventListener('change', () => send(id, (i) => ({ ...i, monitor: monitor.checked })));
    const remove = button('audio.remove_input', () => void actions.mixer.remove(id), {
      class: 'btn btn-small btn-ghost',
      testid: `mixer-remove-${id}`,
    });
    const el = h(
      'div',
      { class: 'mixer-strip', testid: `mixer-strip-${id}` },
      h('div', { class: 'row' }, h('strong', { class: 'mixer-name', text: stripName(input) }), idle, remove),
      meter.el,
      h('div', { class: 'row' }, gain, gainText),
      h(
        'div',
        { class: 'row' },
        h('label', { class: 'check' }, mute, h('span', { i18n: 'audio.mute' })),
        h('label', { class: 'check' }, monitor, h('span', { i18n: 'audio.monitor_input' })),
      ),
    );
    return { el, meter, idle, gain, gainText, mute, monitor, lastSeen: -Infinity };
  };

  function fromSettings(): void {
    const mixer = store.settings.mixer;
    // Rebuild the rows only when the strips themselves changed, so a
    // fader being dragged is never replaced under the pointer.
    const key = JSON.stringify(mixer.map((i) => [i.id, i.source]));
    if (key !== shownFor) {
      shownFor = key;
      clear(list);
      const kept = new Map(strips);
      strips.clear();
      for (const input of mixer) {
        const strip = kept.get(input.id) ?? makeStrip(input);
        strips.set(input.id, strip);
        list.appendChild(strip.el);
      }
      if (!mixer.length) list.appendChild(h('p', { class: 'hint', i18n: 'audio.no_inputs' }));
      clear(kindSel);
      for (const k of MIXER_KINDS) {
        const taken = k.single && mixer.some((i) => i.source.kind === k.kind);
        kindSel.appendChild(h('option', { i18n: kindLabel(k.kind), attrs: { value: k.kind, disabled: taken } }));
      }
      const first = [...kindSel.options].find((o) => !o.disabled);
      if (first) kindSel.value = first.value;
      show(pathInput, kindSel.value === 'file');
      addBtn.disabled = mixer.length >= LIMITS.mixer_inputs.max || !first;
    }
    for (const input of mixer) {
      const s = strips.get(input.id);
      if (!s) continue;
      if (document.activeElement !== s.gain) s.gain.value = String(input.gain_db);
      setText(s.gainText, `${Number(input.gain_db).toFixed(1)} dB`);
      s.mute.checked = input.muted;
      s.monitor.checked = input.monitor;
      s.meter.el.classList.toggle('muted', input.muted);
    }
  }

  /** One level event: every strip that is playing has a reading. */
  function feed(levels: InputLevel[], now: number): void {
    for (const l of levels) {
      const s = strips.get(l.id);
      if (!s) continue;
      s.lastSeen = now;
      s.meter.feed(l.rms_db, l.peak_db, now);
    }
    tick(now);
  }

  function tick(now: number): void {
    for (const s of strips.values()) {
      if (now - s.lastSeen > STALE_MS) s.meter.tick(now);
      // A strip the program does not play (its file is gone, the main
      // source is not a file, no sound server) has no readings at all.
      s.idle.hidden = now - s.lastSeen <= STALE_MS * 2;
    }
  }

  const el = h('div', { class: 'mixer' }, list, addRow);
  return { el, fromSettings, feed, tick };
}
