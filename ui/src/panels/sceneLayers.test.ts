import { describe, expect, it, vi } from 'vitest';
vi.mock('../ipc/api', async () => (await import('../test/apiMock')).apiMock);

import { NEW_TEXT_LOOK, type Layer, type Scenes } from '../ipc';
import { fake } from '../test/apiMock';
import { byTestId, makeCtx } from '../test/ctx';
import { makeFakeApi, session } from '../test/fakeApi';
import { Subs } from './panel';
import { sceneLayers } from './sceneLayers';

function rig(active: string) {
  fake.current = makeFakeApi();
  const host = document.createElement('div');
  document.body.appendChild(host);
  const ctx = makeCtx(host);
  ctx.store.setSession(session({ rev: 1, mode: 'rehearsal', phase: 'preview', role: 'host', can_stream: true }));
  ctx.store.setSettings({ ...ctx.store.settings, scenes: { ...ctx.store.settings.scenes, active } });
  const subs = new Subs();
  host.appendChild(sceneLayers(ctx, subs));
  const saved = () => (fake.current.api.setScenes.mock.lastCall?.[0] as Scenes | undefined)?.list.find((s) => s.id === active);
  return { host, ctx, subs, saved };
}

describe('the scene layers', () => {
  it('lists the active scene top first and saves each change through the session', async () => {
    const { host, subs, saved } = rig('brb');
    const rows = [...host.querySelectorAll<HTMLElement>('.layer-row')].map((r) => r.dataset.testid);
    expect(rows).toEqual(['layer-row-brb-card', 'layer-row-brb-text', 'layer-row-brb-picture']);
    expect(byTestId<HTMLInputElement>(host, 'layer-visible-brb-card')!.checked, 'no card while away').toBe(false);
    const up = byTestId(host, 'layer-row-brb-card')!.querySelector<HTMLButtonElement>('.layer-tools button')!;
    expect(up.disabled, 'the top layer cannot go higher').toBe(true);

    const visible = byTestId<HTMLInputElement>(host, 'layer-visible-brb-text')!;
    visible.checked = false;
    visible.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(saved()?.layers.find((l) => l.id === 'brb-text')?.visible).toBe(false));

    const words = byTestId<HTMLTextAreaElement>(host, 'layer-text-brb-text')!;
    words.value = '<b>午饭</b>';
    words.dispatchEvent(new Event('change'));
    await vi.waitFor(() => {
      const source = saved()?.layers.find((l) => l.id === 'brb-text')?.source;
      expect(source).toMatchObject({ kind: 'text', text: '<b>午饭</b>' });
    });
    subs.dispose();
  });

  it("adds a text with the session's default look and a video by its path", async () => {
    const { host, subs } = rig('camera');
    expect(host.querySelectorAll('.layer-row').length, 'the camera scene has no layers').toBe(0);
    const kind = byTestId<HTMLSelectElement>(host, 'layer-kind')!;
    const value = byTestId<HTMLInputElement>(host, 'layer-value')!;
    value.value = '限时优惠';
    byTestId(host, 'layer-add')!.click();
    await vi.waitFor(() =>
      expect(fake.current.api.addLayer).toHaveBeenLastCalledWith('camera', { kind: 'text', ...NEW_TEXT_LOOK, text: '限时优惠' }),
    );
    kind.value = 'file';
    kind.dispatchEvent(new Event('change'));
    value.value = '/videos/unboxing.mp4';
    byTestId(host, 'layer-add')!.click();
    await vi.waitFor(() =>
      expect(fake.current.api.addLayer).toHaveBeenLastCalledWith('camera', {
        kind: 'video',
        video: { kind: 'file', path: '/videos/unboxing.mp4', once: false },
      }),
    );
    subs.dispose();
  });

  it('plays a video file layer once through the session, and offers it only for files', async () => {
    const { host, ctx, subs, saved } = rig('camera-video');
    expect(byTestId(host, 'layer-once-product-video'), 'the test pattern has no end').toBeNull();
    // The scene's video becomes a product video file.
    const scenes = ctx.store.settings.scenes;
    const list = scenes.list.map((s) =>
      s.id !== 'camera-video'
        ? s
        : {
            ...s,
            layers: s.layers.map((l) =>
              l.id === 'product-video'
                ? { ...l, source: { kind: 'video' as const, video: { kind: 'file' as const, path: '/videos/unboxing.mp4', once: false } } }
                : l,
            ),
          },
    );
    ctx.store.setSettings({ ...ctx.store.settings, scenes: { ...scenes, list } });
    const once = await vi.waitFor(() => {
      const box = byTestId<HTMLInputElement>(host, 'layer-once-product-video');
      expect(box).not.toBeNull();
      return box!;
    });
    expect(once.checked).toBe(false);
    once.checked = true;
    once.dispatchEvent(new Event('change'));
    await vi.waitFor(() =>
      expect(saved()?.layers.find((l) => l.id === 'product-video')?.source).toEqual({
        kind: 'video',
        video: { kind: 'file', path: '/videos/unboxing.mp4', once: true },
      }),
    );
    subs.dispose();
  });

  it('adds the product card as a layer, with nothing to type, and names its row', async () => {
    const { host, ctx, subs } = rig('camera');
    const kind = byTestId<HTMLSelectElement>(host, 'layer-kind')!;
    const value = byTestId<HTMLInputElement>(host, 'layer-value')!;
    kind.value = 'card';
    kind.dispatchEvent(new Event('change'));
    expect(value.hidden, 'the card needs no path or words').toBe(true);
    byTestId(host, 'layer-add')!.click();
    await vi.waitFor(() => expect(fake.current.api.addLayer).toHaveBeenLastCalledWith('camera', { kind: 'product_card' }));
    // The session answers with the layer in the scene: its row is named.
    const scenes = ctx.store.settings.scenes;
    const card: Layer = {
      id: 'layer-1',
      source: { kind: 'product_card' },
      box: { x: 24, y: 516, width: 560, height: 180 },
      crop: { left: 0, top: 0, right: 0, bottom: 0 },
      opacity: 1,
      visible: true,
    };
    const list = scenes.list.map((s) => (s.id === 'camera' ? { ...s, layers: [card] } : s));
    ctx.store.setSettings({ ...ctx.store.settings, scenes: { ...scenes, list } });
    await vi.waitFor(() => expect(byTestId(host, 'layer-row-layer-1')?.querySelector('.layer-name')?.textContent).toBe('Product card'));
    subs.dispose();
  });

  it('sets a text in an installed font, and keeps a saved one this computer lacks', async () => {
    const { host, ctx, subs, saved } = rig('brb');
    const font = await vi.waitFor(() => {
      const sel = byTestId<HTMLSelectElement>(host, 'layer-font-brb-text')!;
      expect([...sel.options].map((o) => o.value)).toEqual(['', 'DejaVu Serif', 'Noto Sans CJK SC']);
      return sel;
    });
    expect(font.value, 'the studio\'s own font until one is chosen').toBe('');
    font.value = 'DejaVu Serif';
    font.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(saved()?.layers.find((l) => l.id === 'brb-text')?.source).toMatchObject({ kind: 'text', font: 'DejaVu Serif' }));
    // Settings from another computer name a font not installed here.
    const scenes = ctx.store.settings.scenes;
    const list = scenes.list.map((s) =>
      s.id !== 'brb'
        ? s
        : { ...s, layers: s.layers.map((l) => (l.source.kind === 'text' ? { ...l, source: { ...l.source, font: 'Fancy Script' } } : l)) },
    );
    ctx.store.setSettings({ ...ctx.store.settings, scenes: { ...scenes, list } });
    await vi.waitFor(() => expect(byTestId<HTMLSelectElement>(host, 'layer-font-brb-text')?.value).toBe('Fancy Script'));
    expect(fake.current.api.fontFamilies, 'the families are asked once').toHaveBeenCalledTimes(1);
    subs.dispose();
  });
});
