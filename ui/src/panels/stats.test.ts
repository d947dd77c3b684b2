import { describe, expect, it, vi } from 'vitest';

vi.mock('../ipc/api', () => ({ api: {}, isApiError: () => false }));

import { ConfirmDialog } from '../components/confirm';
import { Toaster } from '../components/toast';
import type { Ctx } from '../ctx';
import type { StatsView } from '../ipc';
import { PreviewClient } from '../preview/previewClient';
import { Actions } from '../state/actions';
import { RoomStore } from '../state/room';
import { Store } from '../state/store';
import { session } from '../test/fakeApi';
import { statsPanel } from './stats';

function ctx(): Ctx {
  const store = new Store();
  const toast = new Toaster();
  const confirm = new ConfirmDialog(document.createElement('div'));
  const preview = new PreviewClient({ createSocket: () => ({ close() {} }) as unknown as WebSocket, paint: () => {} });
  return { store, room: new RoomStore(), actions: new Actions(store, toast, confirm), toast, confirm, preview };
}

const sample: StatsView = {
  fps: 30,
  dropped: 0,
  video_kbps: 1200,
  cpu_percent: 40,
  audio_rms_db: null,
  audio_peak_db: null,
  outputs: [{ name: 'main', kbps: 1300, state: 'live' }],
};

describe('the stats panel', () => {
  it('shows output rows on air and drops them when the broadcast ends', () => {
    const c = ctx();
    c.store.setSession(session({ phase: 'on_air', mode: 'live', role: 'host' }));
    const panel = statsPanel.create(c);
    c.store.setStats(sample);
    expect(panel.element.querySelectorAll('.stat-output')).toHaveLength(1);
    // The last sample still lists the output as live; the phase says it
    // is over, so the row goes.
    c.store.setSession(session({ phase: 'ended', mode: 'live', role: 'host' }));
    expect(panel.element.querySelectorAll('.stat-output')).toHaveLength(0);
    panel.dispose();
  });
});
