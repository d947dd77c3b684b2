// A page context for panel tests: real store, room, actions and dialogs
// under `host`. The test file mocks ../ipc/api (see fakeApi.ts).

import { ConfirmDialog } from '../components/confirm';
import { Toaster } from '../components/toast';
import type { Ctx } from '../ctx';
import { PreviewClient } from '../preview/previewClient';
import { Actions } from '../state/actions';
import { RoomStore } from '../state/room';
import { Store } from '../state/store';

export function makeCtx(host: HTMLElement): Ctx {
  const store = new Store();
  store.settingsLoaded = true;
  const toast = new Toaster(0);
  host.appendChild(toast.element);
  const confirm = new ConfirmDialog(host);
  const preview = new PreviewClient({ createSocket: () => ({ close() {} }) as unknown as WebSocket, paint: () => {} });
  return { store, room: new RoomStore(), actions: new Actions(store, toast, confirm), toast, confirm, preview };
}

/** `[data-testid=id]` under `root`. */
export function byTestId<T extends HTMLElement = HTMLElement>(root: ParentNode, id: string): T | null {
  return root.querySelector<T>(`[data-testid="${id}"]`);
}
