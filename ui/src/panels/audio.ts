// Audio: the microphone meter (dBFS, -60..0, peak hold), gain, mute, monitor.

import { LIMITS } from '../ipc';
import { h, setI18n, setText, field } from '../lib/dom';
import { dbToFraction, PeakHold } from '../lib/levels';
import { clamp } from '../lib/format';
import { streamGate, Subs, type PanelDef } from './panel';

const GAIN_MIN = LIMITS.gain_db.min;
const GAIN_MAX = LIMITS.gain_db.max;

function fmtDb(db: number): string {
  return Number.isFinite(db) ? db.toFixed(1) : '-∞';
}

export const audioPanel: PanelDef = {
  id: 'audio',
  title: 'panel.audio',
  create(ctx) {
    const { store, actions } = ctx;
    const subs = new Subs();
    const peakHold = new PeakHold(1500, 20);

    const rmsBar = h('div', { class: 'meter-rms' });
    const peakBar = h('div', { class: 'meter-peak' });
    const holdMark = h('div', { class: 'meter-hold' });
    const scale = h('div', { class: 'meter-scale' });
    for (const db of [-60, -48, -36, -24, -18, -12, -6, 0]) {
      const tick = h('span', { class: 'meter-tick', text: String(db) });
      tick.style.left = `${dbToFraction(db) * 100}%`;
      scale.appendChild(tick);
    }
    const meter = h('div', { class: 'meter', testid: 'mic-meter' }, rmsBar, peakBar, holdMark);
    const readout = h('div', { class: 'meter-readout', testid: 'mic-level' });
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
    const noMic = h('p', { class: 'hint', i18n: 'audio.no_mic' });

    const el = h('div', { class: 'panel-body audio' });
    streamGate(ctx, subs, el,
      h('h3', { i18n: 'audio.mic_level' }),
      meter,
      scale,
      h('div', { class: 'row' }, readout, clip),
      mutedNote,
      noMic,
      field('audio.gain', gain, gainText),
      h('label', { class: 'check' }, mute, h('span', { i18n: 'audio.mute' })),
      h('label', { class: 'check' }, monitor, h('span', { i18n: 'audio.monitor' })),
      h('p', { class: 'hint', i18n: 'audio.monitor_hint' }),
    );

    const current = () => store.settings.audio;
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
      const a = current();
      if (document.activeElement !== gain) gain.value = String(a.gain_db);
      setText(gainText, `${Number(a.gain_db).toFixed(1)} dB`);
      mute.checked = a.muted;
      monitor.checked = a.monitor;
      mutedNote.hidden = !a.muted;
      meter.classList.toggle('muted', a.muted);
      noMic.hidden = store.settings.microphone !== 'none';
    };
    fromSettings();

    let last = { rms: -Infinity, peak: -Infinity, at: 0 };
    const draw = (now: number, fresh: boolean) => {
      // Readings older than half a second mean the level events stopped.
      const stale = now - last.at > 500;
      const rms = stale ? -Infinity : last.rms;
      const peak = stale ? -Infinity : last.peak;
      const held = fresh ? peakHold.update(peak, now) : peakHold.read(now);
      rmsBar.style.width = `${(1 - dbToFraction(rms)) * 100}%`;
      peakBar.style.width = `${(1 - dbToFraction(peak)) * 100}%`;
      holdMark.style.left = `${dbToFraction(held) * 100}%`;
      holdMark.hidden = !Number.isFinite(held);
      clip.hidden = !(held >= -1);
      setI18n(readout, 'audio.readout', { rms: fmtDb(rms), peak: fmtDb(held) });
    };
    draw(Date.now(), false);

    subs.add(
      store.on('settings', fromSettings),
      store.on('audio_level', (l) => {
        last = { rms: l.rms_db, peak: l.peak_db, at: Date.now() };
        draw(last.at, true);
      }),
    );
    // Keep the peak marker falling when the level events pause.
    subs.interval(() => draw(Date.now(), false), 250);
    return { element: el, dispose: () => subs.dispose() };
  },
};
