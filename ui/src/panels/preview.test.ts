import { describe, expect, it, vi } from 'vitest';
vi.mock('../ipc/api', async () => (await import('../test/apiMock')).apiMock);

import { t } from '../i18n';
import { DEFAULT_SESSION } from '../state/store';
import { makeCtx } from '../test/ctx';
import { previewPanel } from './preview';

describe('the preview panel', () => {
  it('tells an assistant there is no preview instead of showing a stopped frame', () => {
    const host = document.createElement('div');
    const ctx = makeCtx(host);
    const panel = previewPanel.create(ctx);
    host.appendChild(panel.element);
    const canvas = host.querySelector<HTMLCanvasElement>('[data-testid="preview-canvas"]')!;
    const status = host.querySelector<HTMLElement>('.preview-status')!;
    expect(canvas.hidden).toBe(false);
    ctx.store.setSession({ ...DEFAULT_SESSION, rev: 1, mode: 'assistant', role: 'assistant', phase: 'preview' });
    expect(canvas.hidden).toBe(true);
    expect(status.textContent).toBe(t('preview.assistant'));
    // Back to a host's mode: the picture returns.
    ctx.store.setSession({ ...DEFAULT_SESSION, rev: 2, mode: 'rehearsal', role: 'host', phase: 'preview' });
    expect(canvas.hidden).toBe(false);
    expect(status.textContent).not.toBe(t('preview.assistant'));
    panel.dispose();
  });
});
