import { describe, expect, it, vi } from 'vitest';
vi.mock('../ipc/api', async () => (await import('../test/apiMock')).apiMock);

import { t } from '../i18n';
import { solidFrame } from '../lib/frameHeader';
import { PreviewClient } from '../preview/previewClient';
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

  it('clears "waiting for the first frame" as that frame is drawn', async () => {
    const host = document.createElement('div');
    const ctx = makeCtx(host);
    let socket: { onopen: (() => void) | null; onmessage: ((e: { data: unknown }) => void) | null } | null = null;
    const frames: (() => void)[] = [];
    ctx.preview = new PreviewClient({
      createSocket: () => {
        socket = { onopen: null, onmessage: null, close() {} } as never;
        return socket as unknown as WebSocket;
      },
      paint: () => {},
      requestFrame: (fn) => void frames.push(fn),
    });
    const panel = previewPanel.create(ctx);
    host.appendChild(panel.element);
    const status = host.querySelector<HTMLElement>('.preview-status')!;
    ctx.preview.start('ws://preview');
    socket!.onopen!();
    expect(status.hidden).toBe(false);
    expect(status.textContent).toBe(t('preview.waiting'));
    const buf = solidFrame({ seq: 1, capturedUs: 0, width: 4, height: 2 }, [255, 0, 0, 255]);
    socket!.onmessage!({ data: buf });
    for (const fn of frames.splice(0)) fn();
    await Promise.resolve();
    expect(status.hidden).toBe(true);
    panel.dispose();
    ctx.preview.stop();
  });
});
