// A level meter: RMS and peak bars over a green-to-red scale and a peak
// marker that holds, then falls. Fed with readings in dBFS; a meter whose
// readings stopped coming for half a second shows silence, as the
// source it meters has stopped.

import { h } from '../lib/dom';
import { dbToFraction, PeakHold } from '../lib/levels';

/** Readings older than this mean the level events stopped. */
export const STALE_MS = 500;

export interface Meter {
  readonly el: HTMLElement;
  /** A new reading at `now` (ms). */
  feed(rms: number, peak: number, now: number): void;
  /** Redraws at `now` without a reading: the marker keeps falling. */
  tick(now: number): void;
  /** What the meter shows now: RMS, peak and the held peak. */
  readonly shown: { rms: number; peak: number; held: number };
}

export function createMeter(testid: string, holdMs = 1500, fallDbPerS = 20): Meter {
  const peakHold = new PeakHold(holdMs, fallDbPerS);
  const rmsBar = h('div', { class: 'meter-rms' });
  const peakBar = h('div', { class: 'meter-peak' });
  const holdMark = h('div', { class: 'meter-hold' });
  const el = h('div', { class: 'meter', testid }, rmsBar, peakBar, holdMark);
  let last = { rms: -Infinity, peak: -Infinity, at: -Infinity };
  const shown = { rms: -Infinity, peak: -Infinity, held: -Infinity };

  const draw = (now: number, fresh: boolean) => {
    const stale = now - last.at > STALE_MS;
    shown.rms = stale ? -Infinity : last.rms;
    shown.peak = stale ? -Infinity : last.peak;
    shown.held = fresh ? peakHold.update(shown.peak, now) : peakHold.read(now);
    rmsBar.style.width = `${(1 - dbToFraction(shown.rms)) * 100}%`;
    peakBar.style.width = `${(1 - dbToFraction(shown.peak)) * 100}%`;
    holdMark.style.left = `${dbToFraction(shown.held) * 100}%`;
    holdMark.hidden = !Number.isFinite(shown.held);
  };
  draw(0, false);
  return {
    el,
    shown,
    feed(rms, peak, now) {
      // Silence comes as null over JSON.
      last = { rms: rms ?? -Infinity, peak: peak ?? -Infinity, at: now };
      draw(now, true);
    },
    tick(now) {
      draw(now, false);
    },
  };
}
