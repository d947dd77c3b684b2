// Barrage: the room's text messages (newest at the bottom, at most
// BARRAGE_LIMIT), added in one DOM batch per animation frame. The messages
// live in the room store; the panel only draws them. Every room string is
// text. Hosts and assistants get mute (600 s) and kick per message, and a
// send box.

import { t } from '../i18n';
import { LIMITS, type Identity } from '../ipc';
import { button, clear, frameBatcher, h, placeholder, setI18n, setText } from '../lib/dom';
import { safeColor } from '../lib/roomEvents';
import { validateRoomText } from '../lib/validate';
import { BARRAGE_LIMIT, type BarrageEntry, type RoomChange, type SystemEvent } from '../state/room';
import { Subs, type PanelDef } from './panel';

export { BARRAGE_LIMIT };
export const MUTE_SECONDS = 600;

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
    if (e.kind === 'system') return h('li', { class: 'barrage-system', text: systemLine(e.event) });
    if (e.kind === 'skipped') return h('li', { class: 'barrage-system skipped', text: t('room.skipped', { n: e.count }) });
    const s = e.sender;
    const nick = h('span', { class: `nick role-${roleClass(s.role)}`, text: s.nick || s.id });
    // Level 0 is "no level" (guests, system senders).
    const level = s.level > 0 ? h('span', { class: 'level', text: `Lv${s.level}` }) : null;
    if (level && s.level_name) level.title = s.level_name;
    const badges = s.badges.slice(0, 2).map((b) => {
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

/** The line a room notice shows in the barrage list. */
export function systemLine(ev: SystemEvent): string {
  switch (ev.type) {
    case 'mute':
      return ev.until === 0 ? t('room.unmuted', { user: ev.user_id }) : t('room.muted', { user: ev.user_id, by: ev.by });
    case 'kick':
      return t('room.kicked', { user: ev.user_id, by: ev.by });
    case 'broadcast':
      return t('room.broadcast', { text: ev.text });
    case 'follow':
      return t('room.followed', { nick: ev.sender.nick || ev.sender.id });
  }
}

export const barragePanel: PanelDef = {
  id: 'barrage',
  title: 'panel.barrage',
  create(ctx) {
    const { store, actions, room } = ctx;
    const subs = new Subs();
    const list = new BarrageList();
    list.onModerate = (kind, who) => void actions.moderate(kind, who.id, who.nick);
    for (const e of room.barrage) list.push(e);
    // What the room already holds shows at once, not a frame later.
    list.flush();

    const announcement = h('div', { class: 'announcement', testid: 'announcement' });
    const note = h('p', { class: 'hint notice-inline', testid: 'barrage-note' });
    const input = h('input', {
      class: 'input',
      testid: 'barrage-input',
      attrs: {
        type: 'text',
        // A UTF-16 cap, so only a rough one; validateRoomText counts properly.
        maxlength: Math.max(LIMITS.barrage_chars.max, LIMITS.announcement_chars.max) * 2,
        autocomplete: 'off',
      },
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
    const el = h('div', { class: 'panel-body barrage' }, announcement, note, list.element, sendBox);

    async function send(): Promise<void> {
      const text = input.value;
      const err = validateRoomText(text, asAnnounce.checked);
      if (err) {
        ctx.toast.show(t(err.key, err.params), 'error');
        return;
      }
      const ok = await actions.roomSend(
        asAnnounce.checked ? { type: 'announce', text: text.trim() } : { type: 'barrage', text: text.trim() },
      );
      if (ok) input.value = '';
    }

    const renderAnnouncement = () => {
      const text = room.announcement;
      setText(announcement, text ? `📣 ${text}` : '');
      announcement.hidden = !text;
    };
    const renderSession = () => {
      const s = store.session;
      const canModerate = s.role === 'host' || s.role === 'assistant';
      list.element.classList.toggle('can-moderate', canModerate && s.room.connected);
      sendBox.hidden = !(s.room.connected && s.role !== null);
      if (s.mode === 'rehearsal') setI18n(note, 'barrage.simulated');
      else if (!s.room.connected) setI18n(note, s.room.url ? 'barrage.disconnected' : 'barrage.no_room');
      note.hidden = s.room.connected && s.mode !== 'rehearsal';
    };
    const onRoom = (c: RoomChange) => {
      if (c.reset) list.clear();
      for (const e of c.barrage) list.push(e);
      if (c.reset || c.announcement) renderAnnouncement();
    };
    renderAnnouncement();
    renderSession();
    subs.add(room.subscribe(onRoom), store.on('session', renderSession), () => list.clear());
    return { element: el, dispose: () => subs.dispose() };
  },
};
