// Audio: the master (meter with peak hold, gain, mute), the ear-return,
// and the mixer's strips (panels/mixerStrips.ts). Every meter is fed by
// one batched level event twenty times a second.

import { LIMITS } from '../ipc';
import { h, setI18n, setText, field } from '../lib/dom';
import { dbToFraction } from '../lib/levels';
import { clamp } from '../lib/format';
import { createMeter } from '../components/meter';
import { mixerStrips } from './mixerStrips';
import { streamGate, Subs, type PanelDef } from './panel';

const GAIN_MIN = LIMITS.gain_db.min;
const GAIN_MAX = LIMITS.gain_db.max;

export function fmtDb(db: number | null): string {
  return db !== null && Number.isFinite(db) ? db.toFixed(1) : '-∞';
}

export const audioPanel: PanelDef = {
  id: 'audio',
  title: 'panel.audio',
  create(ctx) {
    const { store, actions } = ctx;
    const subs = new Subs();

    const master = createMeter('master-meter');
    const scale = h('div', { class: 'meter-scale' });
    for (const db of [-60, -48, -36, -24, -18, -12, -6, 0]) {
      const tick = h('span', { class: 'meter-tick', text: String(db) });
      tick.style.left = `${dbToFraction(db) * 100}%`;
      scale.appendChild(tick);
    }
    const readout = h('div', { class: 'meter-readout', testid: 'master-level' });
    const clip = h('span', { class: 'meter-clip', i18n: 'audio.clip' });
    clip.hidden = true;

    const gain = h('input', {
      class: 'range',
      testid: 'audio-gain',
      attrs: { type: 'range', min: GAIN_MIN, max: GAIN_MAX, step: 0.5 },
    });
    const gainText = h('span', { class: 'value' });
    const mute = h('input', { testid: 'audio-mute', attrs: { type: 'checkbox' } });
    const monitor = h('input', { testid: 'audio-monitor', attrs: { type: 'checkbox' } });
    const mutedNote = h('p', { class: 'hint warn', i18n: 'audio.muted_note' });
    const strips = mixerStrips(ctx, subs);

    const el = h('div', { class: 'panel-body audio' });
    streamGate(ctx, subs, el,
      h('h3', { i18n: 'audio.master' }),
      master.el,
      scale,
      h('div', { class: 'row' }, readout, clip),
      mutedNote,
      field('audio.gain', gain, gainText),
      h('label', { class: 'check' }, mute, h('span', { i18n: 'audio.mute_all' })),
      h('h3', { i18n: 'audio.ear_return' }),
      h('label', { class: 'check' }, monitor, h('span', { i18n: 'audio.monitor' })),
      h('p', { class: 'hint', i18n: 'audio.monitor_hint' }),
      h('h3', { i18n: 'audio.mixer' }),
      strips.el,
    );

    const send = () =>
      actions.setAudio({
        gain_db: clamp(Number(gain.value), GAIN_MIN, GAIN_MAX),
        muted: mute.checked,
        monitor: monitor.checked,
      });
    gain.addEventListener('input', () => {
      setText(gainText, `${Number(gain.value).toFixed(1)} dB`);
      send();
    });
    mute.addEventListener('change', send);
    monitor.addEventListener('change', send);

    const fromSettings = () => {
      const a = store.settings.audio;
      if (document.activeElement !== gain) gain.value = String(a.gain_db);
      setText(gainText, `${Number(a.gain_db).toFixed(1)} dB`);
      mute.checked = a.muted;
      monitor.checked = a.monitor;
      mutedNote.hidden = !a.muted;
      master.el.classList.toggle('muted', a.muted);
      strips.fromSettings();
    };
    fromSettings();

    const drawReadout = () => {
      const { rms, held } = master.shown;
      clip.hidden = !(held >= -1);
      setI18n(readout, 'audio.readout', { rms: fmtDb(rms), peak: fmtDb(held) });
    };
    drawReadout();

    subs.add(
      store.on('settings', fromSettings),
      store.on('audio_level', (l) => {
        const now = Date.now();
        master.feed(l.rms_db, l.peak_db, now);
        strips.feed(l.inputs, now);
        drawReadout();
      }),
    );
    // Keep the peak markers falling when the level events pause.
    subs.interval(() => {
      const now = Date.now();
      master.tick(now);
      strips.tick(now);
      drawReadout();
    }, 250);
    return { element: el, dispose: () => subs.dispose() };
  },
};
