import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeFakeApi, session } from '../test/fakeApi';
import { t } from '../i18n';

const fake = vi.hoisted(() => ({ current: null as unknown as ReturnType<typeof import('../test/fakeApi').makeFakeApi> }));
vi.mock('../ipc/api', () => ({
  get api() {
    return fake.current.api;
  },
  isApiError: (e: unknown) => !!e && typeof e === 'object' && 'code' in (e as object),
}));

import { ConfirmDialog } from '../components/confirm';
import { Toaster } from '../components/toast';
import type { Ctx } from '../ctx';
import { PANEL_IDS, panelTitle, type PanelId } from '../lib/layout';
import { PreviewClient } from '../preview/previewClient';
import { Actions } from '../state/actions';
import { RoomStore } from '../state/room';
import { Store } from '../state/store';
import { barrage, batch } from '../test/room';
import { createWorkspace, PANELS, type Workspace } from './workspace';

let ws: Workspace | null = null;
afterEach(() => {
  ws?.dispose();
  ws = null;
  document.body.innerHTML = '';
});

function setup(): { ctx: Ctx; ws: Workspace } {
  fake.current = makeFakeApi();
  const store = new Store();
  const room = new RoomStore();
  const toast = new Toaster();
  const host = document.createElement('div');
  document.body.appendChild(host);
  const confirm = new ConfirmDialog(host);
  const preview = new PreviewClient({ createSocket: () => ({ close() {} }) as unknown as WebSocket, paint: () => {} });
  const ctx: Ctx = { store, room, actions: new Actions(store, toast, confirm), toast, confirm, preview };
  ws = createWorkspace(host, ctx, () => {});
  ws.dock.layout(1200, 800);
  return { ctx, ws };
}

describe('the panels', () => {
  it('are titled panel.<id>, which the toolbar names them by without loading the dock', () => {
    for (const id of PANEL_IDS) expect(PANELS[id].title).toBe(panelTitle(id));
  });

  it('let go of every store and room subscription when closed', () => {
    const { ctx, ws } = setup();
    const roomPanels: PanelId[] = ['barrage', 'gifts', 'audience', 'products'];
    for (const id of roomPanels) {
      const roomBefore = ctx.room.subscriberCount;
      const storeBefore = ctx.store.listenerCount();
      ws.open(id);
      expect(ws.isOpen(id)).toBe(true);
      expect(ctx.room.subscriberCount, id).toBe(roomBefore + 1);
      expect(ctx.store.listenerCount(), id).toBeGreaterThan(storeBefore);
      ws.dock.getGroupPanel(id)!.api.close();
      expect(ws.isOpen(id)).toBe(false);
      expect(ctx.room.subscriberCount, id).toBe(roomBefore);
      expect(ctx.store.listenerCount(), id).toBe(storeBefore);
    }
  });

  it('says a rehearsal is not on air, and a live broadcast is', async () => {
    const { ctx, ws } = setup();
    ctx.store.setSession(session({ mode: 'rehearsal', role: 'host', phase: 'on_air', can_stream: true }));
    ws.open('output');
    const line = () => document.querySelector<HTMLElement>('[data-testid="phase"]')!;
    await vi.waitFor(() => expect(line().textContent).toBe(t('preview.badge_rehearsing')));
    expect(line().classList.contains('phase-on_air')).toBe(false);
    ctx.store.setSession(session({ mode: 'live', role: 'host', phase: 'on_air', can_stream: true }));
    await vi.waitFor(() => expect(line().textContent).toBe(t('phase.on_air')));
    expect(line().classList.contains('phase-on_air')).toBe(true);
  });

  it('a reopened Barrage shows what the room kept while it was closed', () => {
    const { ctx, ws } = setup();
    ws.open('barrage');
    ws.dock.getGroupPanel('barrage')!.api.close();
    ctx.room.apply(batch([barrage('while closed')]));
    ws.open('barrage');
    const items = document.querySelectorAll('[data-testid="barrage-list"] .barrage-item');
    expect(items).toHaveLength(1);
    expect(items[0]!.textContent).toContain('while closed');
  });
});
