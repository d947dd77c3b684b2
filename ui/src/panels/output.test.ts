import { describe, expect, it, vi } from 'vitest';
vi.mock('../ipc/api', async () => (await import('../test/apiMock')).apiMock);

import { LIMITS } from '../ipc';
import { fake } from '../test/apiMock';
import { byTestId, makeCtx } from '../test/ctx';
import { makeFakeApi, session } from '../test/fakeApi';
import { outputPanel } from './output';

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
