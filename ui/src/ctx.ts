// What every panel and component gets: the store, the room, the actions,
// the dialogs and the preview client. Built once in app.ts (or by a test).

import type { ConfirmDialog } from './components/confirm';
import type { Toaster } from './components/toast';
import type { PreviewClient } from './preview/previewClient';
import type { Actions } from './state/actions';
import type { RoomStore } from './state/room';
import type { Store } from './state/store';

export interface Ctx {
  store: Store;
  room: RoomStore;
  actions: Actions;
  toast: Toaster;
  confirm: ConfirmDialog;
  preview: PreviewClient;
}
