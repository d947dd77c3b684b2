// Barrage: the room's text messages (newest at the bottom, at most 200),
// added in one DOM batch per animation frame. Every room string is text.
// Hosts and assistants get mute (600 s) and kick per message, and a send box.

import type { Ctx } from '../ctx';
import { t } from '../i18n';
import { button, clear, frameBatcher, h, placeholder, setI18n, setText } from '../lib/dom';
import { barrageOf, eventKind, identity, safeColor, str } from '../lib/roomEvents';
import { validateRoomText, BARRAGE_MAX } from '../lib/validate';
import type { Identity, RoomEvent } from '../types';
import { Subs, type PanelDef } from './panel';

export const BARRAGE_LIMIT = 200;
export const MUTE_SECONDS = 600;

export type BarrageEntry =
  | { type: 'barrage'; sender: Identity; text: string; ts: number }
  | { type: 'system'; text: string; ts: number };

/** Whether a sender may be moderated by us (nobody mutes the host or an admin). */
export function moderatable(sender: Identity): boolean {
  return sender.role !== 'host' && sender.role !== 'admin';
}

/**
 * The list: a capped, frame-batched view. Entries wait in `pending` until
 * the next animation frame; then they are appended in one fragment and the
 * oldest are removed beyond the limit.
 */
export class BarrageList {
  readonly element: HTMLElement;
  private pending: BarrageEntry[] = [];
  private readonly senders = new WeakMap<HTMLElement, Identity>();
  private readonly schedule: () => void;
  onModerate: ((kind: 'mute' | 'kick', who: Identity) => void) | null = null;

  constructor(private readonly limit = BARRAGE_LIMIT) {
    this.element = h('ol', { class: 'barrage-list', testid: 'barrage-list', attrs: { 'aria-live': 'off' } });
    this.schedule = frameBatcher(() => this.flush());
    this.element.addEventListener('click', (e) => {
      const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-act]');
      if (!btn) return;
      const item = btn.closest<HTMLElement>('.barrage-item');
      const who = item ? this.senders.get(item) : undefined;
      if (who && this.onModerate) this.onModerate(btn.dataset.act as 'mute' | 'kick', who);
    });
  }

  push(entry: BarrageEntry): void {
    this.pending.push(entry);
    // Never hold more than one screen's worth waiting either.
    if (this.pending.length > this.limit) this.pending.splice(0, this.pending.length - this.limit);
    this.schedule();
  }

  get size(): number {
    return this.element.children.length;
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const list = this.element;
    const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 24;
    const frag = document.createDocumentFragment();
    for (const e of this.pending) frag.appendChild(this.render(e));
    this.pending = [];
    list.appendChild(frag);
    let extra = list.children.length - this.limit;
    while (extra-- > 0 && list.firstElementChild) list.removeChild(list.firstElementChild);
    if (stick) list.scrollTop = list.scrollHeight;
  }

  clear(): void {
    this.pending = [];
    clear(this.element);
  }

  private render(e: BarrageEntry): HTMLElement {
    if (e.type === 'system') {
      return h('li', { class: 'barrage-system', text: e.text });
    }
    const s = e.sender;
    const nick = h('span', { class: `nick role-${roleClass(s.role)}`, text: s.nick });
    const level = s.level !== undefined ? h('span', { class: 'level', text: `Lv${s.level}` }) : null;
    if (level && s.level_name) level.title = s.level_name;
    const badges = (s.badges ?? []).slice(0, 2).map((b) => {
      const el = h('span', { class: 'badge', text: b.name });
      const c = safeColor(b.color);
      if (c) el.style.borderColor = c;
      return el;
    });
    const mod = moderatable(s)
      ? h(
          'span',
          { class: 'mod' },
          h('button', { class: 'btn-icon', i18n: 'moderation.mute', attrs: { type: 'button', 'data-act': 'mute' } }),
          h('button', { class: 'btn-icon danger', i18n: 'moderation.kick', attrs: { type: 'button', 'data-act': 'kick' } }),
        )
      : null;
    const li = h(
      'li',
      { class: 'barrage-item' },
      h('span', { class: 'meta' }, level, ...badges, nick),
      h('span', { class: 'text', text: e.text }),
      mod,
    );
    this.senders.set(li, s);
    return li;
  }
}

function roleClass(role: string): string {
  return ['host', 'assistant', 'admin'].includes(role) ? role : 'audience';
}

/** One line of text for a room notice that goes into the barrage list, or null. */
export function systemLine(ev: RoomEvent): string | null {
  switch (eventKind(ev)) {
    case 'mute': {
      const until = typeof ev.until === 'number' ? ev.until : 0;
      return until === 0
        ? t('room.unmuted', { user: str(ev.user_id) })
        : t('room.muted', { user: str(ev.user_id), by: str(ev.by) });
    }
    case 'kick':
      return t('room.kicked', { user: str(ev.user_id), by: str(ev.by) });
    case 'broadcast':
      return t('room.broadcast', { text: str(ev.text) });
    case 'follow': {
      const who = identity(ev.sender);
      return who ? t('room.followed', { nick: who.nick }) : null;
    }
    default:
      return null;
  }
}

interface BarrageFeed {
  list: BarrageList;
  announcement: string;
  onAnnouncement: Set<(text: string) => void>;
}
const feeds = new WeakMap<object, BarrageFeed>();

/** The app-lifetime feed (it keeps collecting while the panel is closed). */
export function barrageFeed(ctx: Ctx): BarrageFeed {
  let f = feeds.get(ctx.store);
  if (f) return f;
  const feed: BarrageFeed = { list: new BarrageList(), announcement: '', onAnnouncement: new Set() };
  f = feed;
  feeds.set(ctx.store, feed);
  feed.list.onModerate = (kind, who) => void ctx.actions.moderate(kind, who.id, who.nick);
  let mode = ctx.store.session.mode;
  ctx.store.on('session', (s) => {
    if (s.mode !== mode) {
      mode = s.mode;
      feed.list.clear();
      feed.announcement = '';
      for (const cb of feed.onAnnouncement) cb('');
    }
  });
  ctx.store.on('room_event', (ev) => {
    const b = barrageOf(ev);
    if (b) {
      feed.list.push({ type: 'barrage', sender: b.sender, text: b.text, ts: b.ts });
      return;
    }
    if (eventKind(ev) === 'announcement') {
      feed.announcement = str(ev.text);
      for (const cb of feed.onAnnouncement) cb(feed.announcement);
      return;
    }
    const line = systemLine(ev);
    if (line) feed.list.push({ type: 'system', text: line, ts: typeof ev.ts === 'number' ? ev.ts : 0 });
  });
  return feed;
}

export const barragePanel: PanelDef = {
  id: 'barrage',
  title: 'panel.barrage',
  create(ctx) {
    const { store, actions } = ctx;
    const subs = new Subs();
    const feed = barrageFeed(ctx);

    const announcement = h('div', { class: 'announcement', testid: 'announcement' });
    const note = h('p', { class: 'hint notice-inline', testid: 'barrage-note' });
    const input = h('input', {
      class: 'input',
      testid: 'barrage-input',
      attrs: { type: 'text', maxlength: 500, autocomplete: 'off' },
    });
    placeholder(input, 'barrage.placeholder');
    const asAnnounce = h('input', { testid: 'barrage-announce', attrs: { type: 'checkbox' } });
    const sendBtn = button('barrage.send', () => void send(), { class: 'btn btn-primary', testid: 'barrage-send' });
    const sendBox = h(
      'form',
      { class: 'send-box' },
      input,
      h('label', { class: 'check small' }, asAnnounce, h('span', { i18n: 'barrage.as_announcement' })),
      sendBtn,
    );
    sendBox.addEventListener('submit', (e) => {
      e.preventDefault();
      void send();
    });
    const el = h('div', { class: 'panel-body barrage' }, announcement, note, feed.list.element, sendBox);

    async function send(): Promise<void> {
      const text = input.value;
      const err = validateRoomText(text, asAnnounce.checked);
      if (err) {
        ctx.toast.show(t(err, { max: BARRAGE_MAX }), 'error');
        return;
      }
      const ok = await actions.roomSend(
        asAnnounce.checked ? { type: 'announce', text: text.trim() } : { type: 'barrage', text: text.trim() },
      );
      if (ok) input.value = '';
    }

    const renderAnnouncement = (text: string) => {
      setText(announcement, text ? `📣 ${text}` : '');
      announcement.hidden = !text;
    };
    const renderSession = () => {
      const s = store.session;
      const canModerate = s.role === 'host' || s.role === 'assistant';
      feed.list.element.classList.toggle('can-moderate', canModerate && s.room.connected);
      sendBox.hidden = !(s.room.connected && s.role !== null);
      if (s.mode === 'rehearsal') setI18n(note, 'barrage.simulated');
      else if (!s.room.connected) setI18n(note, s.room.url ? 'barrage.disconnected' : 'barrage.no_room');
      note.hidden = s.room.connected && s.mode !== 'rehearsal';
    };
    renderAnnouncement(feed.announcement);
    renderSession();
    feed.onAnnouncement.add(renderAnnouncement);
    subs.add(() => feed.onAnnouncement.delete(renderAnnouncement), store.on('session', renderSession));
    // The list element outlives the panel: detach it, don't destroy it.
    subs.add(() => feed.list.element.remove());
    return { element: el, dispose: () => subs.dispose() };
  },
};
