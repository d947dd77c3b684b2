import { afterEach, describe, expect, it, vi } from 'vitest';
vi.mock('../ipc/api', async () => (await import('../test/apiMock')).apiMock);

import { MIXER_KINDS, type AudioLevel, type MixerInput } from '../ipc';
import { fake } from '../test/apiMock';
import { byTestId, makeCtx } from '../test/ctx';
import { makeFakeApi, session } from '../test/fakeApi';
import { audioPanel } from './audio';

const strip = (id: string, source: MixerInput['source'], over: Partial<MixerInput> = {}): MixerInput => ({
  id,
  source,
  gain_db: 0,
  muted: false,
  monitor: false,
  ...over,
});

function rig(mixer: MixerInput[]) {
  fake.current = makeFakeApi();
  const host = document.createElement('div');
  document.body.appendChild(host);
  const ctx = makeCtx(host);
  ctx.store.setSession(session({ rev: 1, mode: 'rehearsal', phase: 'preview', role: 'host', can_stream: true }));
  ctx.store.setSettings({ ...ctx.store.settings, language: 'en', mixer });
  const panel = audioPanel.create(ctx);
  host.appendChild(panel.element);
  const q = <T extends HTMLElement = HTMLElement>(id: string) => byTestId<T>(host, id);
  /** How far a meter's RMS cover leaves the scale showing, 0..1. */
  const lit = (id: string) => 1 - parseFloat(q(id)!.querySelector<HTMLElement>('.meter-rms')!.style.width) / 100;
  return { host, ctx, panel, q, lit };
}

afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = '';
});

describe('the audio panel', () => {
  it('shows a strip per input and feeds every meter from one batched event', () => {
    vi.useFakeTimers();
    const { ctx, q, lit } = rig([strip('mic', { kind: 'microphone' }), strip('desktop', { kind: 'desktop' })]);
    expect(q('mixer-strip-mic')!.textContent).toContain('Microphone');
    expect(q('mixer-strip-desktop')!.textContent).toContain('Desktop audio');
    const level: AudioLevel = { rms_db: -12, peak_db: -6, inputs: [{ id: 'mic', rms_db: -30, peak_db: -20 }] };
    ctx.store.emit('audio_level', level);
    // -12 dBFS is 80 % of the -60..0 scale; -30 is half of it.
    expect(lit('master-meter')).toBeCloseTo(0.8, 5);
    expect(lit('mixer-meter-mic')).toBeCloseTo(0.5, 5);
    expect(lit('mixer-meter-desktop'), 'no reading: silent').toBe(0);
    expect(q('master-level')!.textContent).toBe('RMS -12.0 dBFS · peak -6.0 dBFS');

    // The desktop strip never plays (no sound server): it says so; the
    // microphone, fed again, does not.
    vi.advanceTimersByTime(1100);
    ctx.store.emit('audio_level', { ...level, rms_db: null as unknown as number });
    expect(q('mixer-strip-desktop')!.querySelector<HTMLElement>('[data-i18n="audio.not_playing"]')!.hidden).toBe(false);
    expect(q('mixer-strip-mic')!.querySelector<HTMLElement>('[data-i18n="audio.not_playing"]')!.hidden).toBe(true);
    expect(q('master-level')!.textContent, 'silence arrives as null').toContain('RMS -∞');
  });

  it("sends a strip's gain, mute and monitor live, and cannot monitor desktop audio", async () => {
    const { ctx, q } = rig([strip('mic', { kind: 'microphone' }), strip('desktop', { kind: 'desktop' })]);
    const gain = q<HTMLInputElement>('mixer-gain-mic')!;
    gain.value = '-6';
    gain.dispatchEvent(new Event('input'));
    expect(fake.current.api.setMixerInput).toHaveBeenLastCalledWith(strip('mic', { kind: 'microphone' }, { gain_db: -6 }));
    await new Promise((r) => setTimeout(r, 60));
    const monitor = q<HTMLInputElement>('mixer-monitor-mic')!;
    monitor.checked = true;
    monitor.dispatchEvent(new Event('change'));
    await vi.waitFor(() =>
      expect(fake.current.api.setMixerInput).toHaveBeenLastCalledWith(
        strip('mic', { kind: 'microphone' }, { gain_db: -6, monitor: true }),
      ),
    );
    expect(ctx.store.settings.mixer[0]).toMatchObject({ gain_db: -6, monitor: true });
    const desktopKind = MIXER_KINDS.find((k) => k.kind === 'desktop')!;
    expect(desktopKind.monitorable).toBe(false);
    expect(q<HTMLInputElement>('mixer-monitor-desktop')!.disabled).toBe(true);
    expect(q<HTMLInputElement>('mixer-monitor-mic')!.disabled).toBe(false);

    // The ear-return itself is the master's switch.
    const ear = q<HTMLInputElement>('audio-monitor')!;
    ear.checked = true;
    ear.dispatchEvent(new Event('change'));
    expect(fake.current.api.setAudio).toHaveBeenLastCalledWith({ gain_db: 0, muted: false, monitor: true });
  });

  it('adds a file strip by its path, offers one-of-a-kind sources once, and removes strips', async () => {
    const { q } = rig([strip('mic', { kind: 'microphone' })]);
    const kind = q<HTMLSelectElement>('mixer-kind')!;
    const option = (k: string) => [...kind.options].find((o) => o.value === k)!;
    expect(option('microphone').disabled, 'there is a microphone strip already').toBe(true);
    expect(option('file').disabled).toBe(false);
    expect(kind.value, 'the first kind that can be added').toBe('main_video');
    kind.value = 'file';
    kind.dispatchEvent(new Event('change'));
    const path = q<HTMLInputElement>('mixer-path')!;
    expect(path.hidden).toBe(false);
    path.value = '/music/<img src=x onerror=alert(1)>.mp3';
    q('mixer-add')!.click();
    await vi.waitFor(() => expect(q('mixer-strip-file')).not.toBeNull());
    expect(fake.current.api.addMixerInput).toHaveBeenLastCalledWith({
      kind: 'file',
      path: '/music/<img src=x onerror=alert(1)>.mp3',
    });
    const name = q('mixer-strip-file')!.querySelector('.mixer-name')!;
    expect(name.textContent, 'a path is shown as text').toBe('<img src=x onerror=alert(1)>.mp3');
    expect(name.querySelector('img')).toBeNull();

    q('mixer-remove-mic')!.click();
    await vi.waitFor(() => expect(q('mixer-strip-mic')).toBeNull());
    expect(fake.current.api.removeMixerInput).toHaveBeenLastCalledWith('mic');
    expect(option('microphone').disabled, 'a microphone can come back').toBe(false);
  });
});
