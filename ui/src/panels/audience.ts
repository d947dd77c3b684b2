// Audience: online count, room status, the join/leave feed, and the
// viewer list (`get_audience` through room_send, answered by an
// `audience_list` room event).

import type { Ctx } from '../ctx';
import { t } from '../i18n';
import { button, clear, frameBatcher, h, setI18n, setText } from '../lib/dom';
import { int } from '../lib/format';
import { eventKind, identity, num, str } from '../lib/roomEvents';
import type { Identity } from '../types';
import { Subs, type PanelDef } from './panel';

export const AUDIENCE_FEED_MAX = 100;

interface FeedLine {
  kind: 'join' | 'leave';
  nick: string;
  ts: number;
}

interface AudienceModel {
  online: number | null;
  status: string;
  feed: FeedLine[];
  users: Identity[] | null;
  changed: Set<() => void>;
}
const models = new WeakMap<object, AudienceModel>();

export function audienceModel(ctx: Ctx): AudienceModel {
  let m = models.get(ctx.store);
  if (m) return m;
  const model: AudienceModel = { online: null, status: '', feed: [], users: null, changed: new Set() };
  m = model;
  models.set(ctx.store, model);
  const notify = () => {
    for (const cb of model.changed) cb();
  };
  let mode = ctx.store.session.mode;
  ctx.store.on('session', (s) => {
    if (s.mode !== mode) {
      mode = s.mode;
      model.online = null;
      model.status = '';
      model.feed = [];
      model.users = null;
    }
    notify();
  });
  ctx.store.on('room_event', (ev) => {
    switch (eventKind(ev)) {
      case 'online_count':
        model.online = num(ev.online, model.online ?? 0);
        break;
      case 'room_status':
        model.status = str(ev.status);
        break;
      case 'join':
      case 'leave': {
        const who = identity(ev.user);
        if (!who) return;
        model.feed.unshift({ kind: eventKind(ev) as 'join' | 'leave', nick: who.nick, ts: num(ev.ts) });
        if (model.feed.length > AUDIENCE_FEED_MAX) model.feed.length = AUDIENCE_FEED_MAX;
        break;
      }
      case 'audience_list': {
        const users = Array.isArray(ev.users) ? ev.users.map(identity).filter((u): u is Identity => !!u) : [];
        model.users = users;
        if (typeof ev.online === 'number') model.online = ev.online;
        break;
      }
      default:
        return;
    }
    notify();
  });
  return model;
}

export const audiencePanel: PanelDef = {
  id: 'audience',
  title: 'panel.audience',
  create(ctx) {
    const { store, actions } = ctx;
    const subs = new Subs();
    const model = audienceModel(ctx);

    const online = h('span', { class: 'big-number', testid: 'online-count' });
    const status = h('span', { class: 'tag', testid: 'room-status' });
    const note = h('p', { class: 'hint' });
    const refresh = button('audience.refresh', () => void actions.roomSend({ type: 'get_audience' }), {
      class: 'btn btn-small',
      testid: 'audience-refresh',
    });
    const users = h('ul', { class: 'user-list', testid: 'audience-list' });
    const usersEmpty = h('p', { class: 'hint' });
    const feed = h('ol', { class: 'join-feed', testid: 'join-feed' });
    const el = h(
      'div',
      { class: 'panel-body audience' },
      h(
        'div',
        { class: 'row spread' },
        h('div', { class: 'stat' }, h('span', { class: 'stat-label', i18n: 'audience.online' }), online),
        status,
      ),
      note,
      h('div', { class: 'row spread' }, h('h3', { i18n: 'audience.viewers' }), refresh),
      usersEmpty,
      users,
      h('h3', { i18n: 'audience.joins' }),
      feed,
    );

    const render = () => {
      const s = store.session;
      const count = model.online ?? (s.room.connected ? s.room.online : null);
      setText(online, count === null ? '—' : int(count));
      status.hidden = !model.status;
      setText(status, model.status ? t('audience.status', { status: model.status }) : '');
      if (s.mode === 'rehearsal') setI18n(note, 'audience.simulated');
      else if (!s.room.connected) setI18n(note, s.room.url ? 'audience.disconnected' : 'audience.no_room');
      note.hidden = s.room.connected && s.mode !== 'rehearsal';
      refresh.disabled = !s.room.connected;

      clear(users);
      if (model.users === null) {
        setI18n(usersEmpty, 'audience.list_not_loaded');
        usersEmpty.hidden = false;
      } else {
        usersEmpty.hidden = model.users.length > 0;
        setI18n(usersEmpty, 'audience.list_empty');
        for (const u of model.users) {
          users.appendChild(
            h(
              'li',
              { class: 'user' },
              u.level !== undefined ? h('span', { class: 'level', text: `Lv${u.level}` }) : null,
              h('span', { class: `nick role-${u.role}`, text: u.nick }),
            ),
          );
        }
      }
      clear(feed);
      for (const f of model.feed.slice(0, 50)) {
        feed.appendChild(
          h('li', { class: `feed-${f.kind}`, text: t(f.kind === 'join' ? 'audience.joined' : 'audience.left', { nick: f.nick }) }),
        );
      }
    };
    const schedule = frameBatcher(render);
    render();
    model.changed.add(schedule);
    subs.add(() => model.changed.delete(schedule));
    return { element: el, dispose: () => subs.dispose() };
  },
};
