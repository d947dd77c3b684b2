import { describe, expect, it } from 'vitest';
import { DEFAULT_SESSION, Store } from './store';

describe('Store.setSession', () => {
  it('drops a view older than the one shown (a late command answer)', () => {
    const store = new Store();
    const seen: number[] = [];
    store.on('session', (s) => seen.push(s.rev));
    const connected = { ...DEFAULT_SESSION, rev: 7, room: { connected: true, online: 1, url: 'ws://x' } };
    const stale = { ...DEFAULT_SESSION, rev: 5, room: { connected: false, online: 0, url: 'ws://x' } };
    store.setSession(connected);
    store.setSession(stale);
    expect(store.session.room.connected).toBe(true);
    expect(seen).toEqual([7]);
    store.setSession({ ...connected, rev: 8, room: { ...connected.room, online: 2 } });
    expect(store.session.room.online).toBe(2);
  });
});
