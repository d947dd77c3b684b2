import { describe, expect, it, vi } from 'vitest';
vi.mock('../ipc/api', async () => (await import('../test/apiMock')).apiMock);

import { CANVAS_PRESETS, LIMITS } from '../ipc';
import { fake } from '../test/apiMock';
import { byTestId, makeCtx } from '../test/ctx';
import { makeFakeApi, session } from '../test/fakeApi';
import { outputPanel, presetLabel } from './output';

describe('the rehearsal audience', () => {
  it('sets how many viewers take part in activities and how often they click the card, within the limits', async () => {
    fake.current = makeFakeApi();
    const host = document.createElement('div');
    document.body.appendChild(host);
    const ctx = makeCtx(host);
    ctx.store.setSession(session({ rev: 1, mode: 'rehearsal', phase: 'on_air', role: 'host', can_stream: true }));
    const panel = outputPanel.create(ctx);
    host.appendChild(panel.element);

    const takePart = byTestId<HTMLInputElement>(host, 'audience-take_part')!;
    const clicks = byTestId<HTMLInputElement>(host, 'audience-card_clicks_per_s')!;
    expect([takePart.min, takePart.max]).toEqual([String(LIMITS.rehearsal_take_part.min), String(LIMITS.rehearsal_take_part.max)]);
    expect(clicks.max).toBe(String(LIMITS.rehearsal_card_clicks_per_s.max));
    // The saved share shows as a percentage.
    expect(takePart.parentElement!.querySelector('.value')!.textContent).toBe(
      `${Math.round(ctx.store.settings.rehearsal.take_part * 100)}%`,
    );

    takePart.value = '0.75';
    takePart.dispatchEvent(new Event('input'));
    clicks.value = '4';
    clicks.dispatchEvent(new Event('input'));
    expect(ctx.store.settings.rehearsal).toMatchObject({ take_part: 0.75, card_clicks_per_s: 4 });
    expect(takePart.parentElement!.querySelector('.value')!.textContent).toBe('75%');
    await vi.waitFor(() =>
      expect(fake.current.api.setAudience).toHaveBeenLastCalledWith(expect.objectContaining({ take_part: 0.75, card_clicks_per_s: 4 })),
    );
    panel.dispose();
  });
});

function livePanel(extra: Parameters<typeof session>[0] = {}) {
  fake.current = makeFakeApi();
  const host = document.createElement('div');
  document.body.appendChild(host);
  const ctx = makeCtx(host);
  ctx.store.setSession(session({ rev: 1, mode: 'live', phase: 'on_air', role: 'host', can_stream: true, ...extra }));
  const panel = outputPanel.create(ctx);
  host.appendChild(panel.element);
  return { host, ctx, panel };
}

describe('the outputs on air', () => {
  it('counts down to the next retry in words and reconnects now on a click', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const { host, panel } = livePanel({
        outputs: [{ name: 'main', state: 'reconnecting', retry: { attempt: 3, of: 25, next_try_at_ms: 1_006_000 }, detail: '' }],
      });
      const detail = () => host.querySelector('[data-testid="output-state"] .output-detail')!.textContent;
      expect(detail()).toBe('retrying in 6 s, attempt 3/25');
      vi.advanceTimersByTime(2000);
      expect(detail()).toBe('retrying in 4 s, attempt 3/25');
      vi.advanceTimersByTime(10_000);
      expect(detail()).toBe('retrying in 0 s, attempt 3/25');
      byTestId<HTMLButtonElement>(host, 'reconnect-now')!.click();
      await vi.waitFor(() => expect(fake.current.api.reconnectNow).toHaveBeenCalledWith('main'));
      panel.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('has no reconnect button for a live output, and pause becomes resume', async () => {
    const { host, ctx, panel } = livePanel({ outputs: [{ name: 'main', state: 'live', retry: null, detail: '' }] });
    expect(byTestId(host, 'reconnect-now')).toBeNull();
    // The session answers with its next view.
    const next = (over: Parameters<typeof session>[0]) =>
      Promise.resolve(session({ ...ctx.store.session, rev: ctx.store.session.rev + 1, ...over }));
    fake.current.api.pause.mockImplementation(() => next({ paused: true }));
    fake.current.api.resume.mockImplementation(() => next({ paused: false }));
    const pause = byTestId<HTMLButtonElement>(host, 'pause')!;
    const resume = byTestId<HTMLButtonElement>(host, 'resume')!;
    expect([pause.hidden, resume.hidden]).toEqual([false, true]);
    pause.click();
    await vi.waitFor(() => expect(ctx.store.session.paused).toBe(true));
    expect([pause.hidden, resume.hidden]).toEqual([true, false]);
    expect(byTestId(host, 'phase')!.textContent).toContain('Paused');
    resume.click();
    await vi.waitFor(() => expect(ctx.store.session.paused).toBe(false));
    expect(fake.current.api.resume).toHaveBeenCalledTimes(1);
    panel.dispose();
  });
});

describe('a destination’s options', () => {
  it('shows dynamic bitrate on with its floor, and saves a change within the limits', async () => {
    const { host, ctx, panel } = livePanel({ phase: 'preview' });
    await ctx.actions.refreshDestinations();
    await vi.waitFor(() => expect(byTestId(host, 'dest-options')).not.toBeNull());
    const dynamic = byTestId<HTMLInputElement>(host, 'dest-dynamic')!;
    const floor = byTestId<HTMLInputElement>(host, 'dest-floor')!;
    const delay = byTestId<HTMLInputElement>(host, 'dest-retry-delay')!;
    expect(dynamic.checked).toBe(true);
    expect(floor.value).toBe('20');
    expect([floor.min, floor.max]).toEqual([String(LIMITS.bitrate_floor_percent.min), String(LIMITS.bitrate_floor_percent.max)]);
    delay.value = '100000';
    delay.dispatchEvent(new Event('change'));
    await vi.waitFor(() =>
      expect(fake.current.api.setDestinationOptions).toHaveBeenLastCalledWith('main', {
        dynamic_bitrate: true,
        bitrate_floor_percent: 20,
        retry_delay_s: LIMITS.retry_delay_s.max,
        max_retries: 25,
      }),
    );
    dynamic.checked = false;
    dynamic.dispatchEvent(new Event('change'));
    await vi.waitFor(() =>
      expect(fake.current.api.setDestinationOptions).toHaveBeenLastCalledWith('main', expect.objectContaining({ dynamic_bitrate: false })),
    );
    panel.dispose();
  });
});

describe('canvas presets', () => {
  it('come from the session’s list and fill size, rate and bitrate', () => {
    const { host, panel } = livePanel({ phase: 'preview' });
    const select = byTestId<HTMLSelectElement>(host, 'canvas-preset')!;
    const ids = [...select.options].map((o) => o.value).filter(Boolean);
    expect(ids).toEqual(CANVAS_PRESETS.map((p) => p.id));
    const tall = CANVAS_PRESETS.find((p) => p.height === 1920 && p.fps === 60)!;
    select.value = tall.id;
    select.dispatchEvent(new Event('change'));
    const value = (id: string) => byTestId<HTMLInputElement>(host, id)!.value;
    expect([value('canvas-width'), value('canvas-height'), value('canvas-fps'), value('canvas-kbps')]).toEqual(
      [tall.width, tall.height, tall.fps, tall.video_kbps].map(String),
    );
    expect(select.selectedOptions[0]?.textContent).toBe(presetLabel(tall));
    expect(presetLabel(tall)).toMatch(/^Portrait 9:16 1080×1920 · 60 fps/);
    panel.dispose();
  });
});
