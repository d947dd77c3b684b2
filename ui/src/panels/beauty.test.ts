import { afterEach, describe, expect, it, vi } from 'vitest';
vi.mock('../ipc/api', async () => (await import('../test/apiMock')).apiMock);

import { setLanguage } from '../i18n';
import { fake } from '../test/apiMock';
import { makeCtx } from '../test/ctx';
import { makeFakeApi, session } from '../test/fakeApi';
import { beautyPanel } from './beauty';

const PIXEL = 'data:image/png;base64,iVBORw0KGgo=';

describe('the filter picker', () => {
  afterEach(() => setLanguage('en'));

  it('names shipped filters in the window’s language and others by their file name', () => {
    fake.current = makeFakeApi();
    const host = document.createElement('div');
    document.body.appendChild(host);
    const ctx = makeCtx(host);
    ctx.store.setSession(session({ rev: 1, mode: 'rehearsal', phase: 'preview', role: 'host', can_stream: true }));
    ctx.store.setLuts([
      { name: 'identity', label: { en: 'Original', 'zh-CN': '原图', ko: '원본' }, thumbnail: PIXEL },
      { name: 'my-look', label: null, thumbnail: PIXEL },
    ]);
    const panel = beautyPanel.create(ctx);
    host.appendChild(panel.element);
    const names = () => [...host.querySelectorAll('[data-testid="lut-tile"] span')].map((s) => s.textContent);
    expect(names()).toEqual(['Original', 'my-look']);
    setLanguage('zh-CN');
    expect(names()).toEqual(['原图', 'my-look']);
    expect(host.querySelector('[data-lut="identity"]')).not.toBeNull();
    panel.dispose();
  });
});
