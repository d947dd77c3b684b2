// The room's activities (coupons, flash sales, draws, lucky bags) as the
// page knows them: the server's list, whole, from the shell's `activities`
// events and the `activities` command when a room connects. The room
// server runs and counts every activity; nothing here computes a figure.
//
// Titles, prizes and winners' nicknames are room data: panels set them as
// text.

import type { Activity } from '../ipc';

export interface ActivityChange {
  /** Everything was cleared (another mode). */
  reset: boolean;
  list: boolean;
  /** The load error or the last refusal changed. */
  notice: boolean;
}

export type ActivityListener = (c: ActivityChange) => void;

export class ActivityStore {
  /** As the server sent it: running ones and the newest ended ones. */
  list: Activity[] = [];
  /** Why the list could not be loaded; null when it was. */
  error: string | null = null;
  /** The server's reason for the last refused create or end; null once cleared. */
  refusal: string | null = null;

  private readonly listeners = new Set<ActivityListener>();

  subscribe(cb: ActivityListener): () => void {
    const wrapped: ActivityListener = (c) => cb(c);
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Takes the server's whole list (an event or the command's answer). */
  apply(list: Activity[]): void {
    this.list = list;
    const hadError = this.error !== null;
    this.error = null;
    this.notify({ reset: false, list: true, notice: hadError });
  }

  /** Running activities, the one ending soonest first. */
  running(): Activity[] {
    return this.list.filter((a) => a.phase === 'running').sort((a, b) => a.ends_at - b.ends_at);
  }

  /** Ended activities, the latest first. */
  ended(): Activity[] {
    return this.list
      .filter((a) => a.phase === 'ended')
      .sort((a, b) => (b.ended_at ?? b.ends_at) - (a.ended_at ?? a.ends_at));
  }

  /** The flash sale running on a product, if any (the server allows one per product). */
  saleOn(goodsId: string): Activity | undefined {
    return this.list.find((a) => a.phase === 'running' && a.spec.kind === 'flash_sale' && a.spec.goods_id === goodsId);
  }

  setError(message: string | null): void {
    if (message === this.error) return;
    this.error = message;
    this.notify({ reset: false, list: false, notice: true });
  }

  setRefusal(message: string | null): void {
    if (message === this.refusal) return;
    this.refusal = message;
    this.notify({ reset: false, list: false, notice: true });
  }

  /** Forgets the list (a new mode starts empty). */
  reset(): void {
    this.list = [];
    this.error = null;
    this.refusal = null;
    this.notify({ reset: true, list: true, notice: true });
  }

  private notify(c: ActivityChange): void {
    for (const cb of [...this.listeners]) cb(c);
  }
}
