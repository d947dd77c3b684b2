import { describe, expect, it, vi } from 'vitest';
vi.mock('../ipc/api', async () => (await import('../test/apiMock')).apiMock);

import { setLanguage, t } from '../i18n';
import { fake } from '../test/apiMock';
import { byTestId, makeCtx } from '../test/ctx';
import { makeFakeApi, session } from '../test/fakeApi';
import { Subs } from './panel';
import { sceneBar, sceneHotkey } from './sceneBar';

describe('the scene bar', () => {
  it('names the starter scenes in the host language and switches on a click or Alt+number', async () => {
    fake.current = makeFakeApi();
    setLanguage('en');
    const host = document.createElement('div');
    document.body.appendChild(host);
    const ctx = makeCtx(host);
    ctx.store.setSession(session({ rev: 1, mode: 'rehearsal', phase: 'on_air', role: 'host', can_stream: true }));
    const subs = new Subs();
    host.appendChild(sceneBar(ctx, subs));
    const names = [...host.querySelectorAll('.scene-button')].map((b) => b.textContent);
    expect(names).toEqual([t('scenes.starter_camera'), t('scenes.starter_camera_and_video'), t('scenes.starter_be_right_back')]);
    expect(names[2]).toBe('Be right back');
    expect(byTestId(host, 'scene-camera')!.classList.contains('active')).toBe(true);

    byTestId(host, 'scene-brb')!.click();
    await vi.waitFor(() => expect(byTestId(host, 'scene-brb')!.classList.contains('active')).toBe(true));
    expect(fake.current.api.switchScene).toHaveBeenLastCalledWith('brb');
    expect(ctx.store.settings.scenes.active).toBe('brb');

    window.dispatchEvent(new KeyboardEvent('keydown', { code: 'Digit2', altKey: true }));
    await vi.waitFor(() => expect(fake.current.api.switchScene).toHaveBeenLastCalledWith('camera-video'));
    // Alt+4: no fourth scene, nothing sent.
    window.dispatchEvent(new KeyboardEvent('keydown', { code: 'Digit4', altKey: true }));
    expect(fake.current.api.switchScene).toHaveBeenCalledTimes(2);

    const fade = byTestId<HTMLSelectElement>(host, 'scene-fade')!;
    fade.value = '0';
    fade.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(fake.current.api.setScenes).toHaveBeenLastCalledWith(expect.objectContaining({ fade_ms: 0 })));
    subs.dispose();
  });

  it('reads only Alt with a digit as a scene key', () => {
    const key = (code: string, mods: Partial<KeyboardEvent> = {}) =>
      sceneHotkey({ altKey: true, ctrlKey: false, metaKey: false, shiftKey: false, code, ...mods });
    expect(key('Digit1')).toBe(1);
    expect(key('Digit9')).toBe(9);
    expect(key('Digit0')).toBeNull();
    expect(key('Digit1', { ctrlKey: true })).toBeNull();
    expect(key('KeyA')).toBeNull();
    expect(key('Digit3', { altKey: false })).toBeNull();
  });
});
