// Audience: online count, room status, the join/leave feed, and the
// viewer list (`get_audience` through room_send, answered by an
// `audience_list` notice). The data lives in the room store.

import { t } from '../i18n';
import { button, clear, frameBatcher, h, setI18n, setText } from '../lib/dom';
import { int } from '../lib/format';
import type { RoomChange } from '../state/room';
import { Subs, type PanelDef } from './panel';

/** Join/leave lines shown (the store keeps more). */
export const JOIN_LINES_SHOWN = 50;

export const audiencePanel: PanelDef = {
  id: 'audience',
  title: 'panel.audience',
  create(ctx) {
    const { store, actions, room } = ctx;
    const subs = new Subs();

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
      const count = room.online ?? (s.room.connected ? s.room.online : null);
      setText(online, count === null ? '—' : int(count));
      status.hidden = !room.status;
      setText(status, room.status ? t('audience.status', { status: room.status }) : '');
      if (s.mode === 'rehearsal') setI18n(note, 'audience.simulated');
      else if (!s.room.connected) setI18n(note, s.room.url ? 'audience.disconnected' : 'audience.no_room');
      note.hidden = s.room.connected && s.mode !== 'rehearsal';
      refresh.disabled = !s.room.connected;

      clear(users);
      if (room.users === null) {
        setI18n(usersEmpty, 'audience.list_not_loaded');
        usersEmpty.hidden = false;
      } else {
        usersEmpty.hidden = room.users.length > 0;
        setI18n(usersEmpty, 'audience.list_empty');
        for (const u of room.users) {
          users.appendChild(
            h(
              'li',
              { class: 'user' },
              u.level > 0 ? h('span', { class: 'level', text: `Lv${u.level}` }) : null,
              h('span', { class: `nick role-${u.role}`, text: u.nick || u.id }),
            ),
          );
        }
      }
      clear(feed);
      for (const f of room.joins.slice(0, JOIN_LINES_SHOWN)) {
        const nick = f.user.nick || f.user.id;
        feed.appendChild(h('li', { class: `feed-${f.kind}`, text: t(f.kind === 'join' ? 'audience.joined' : 'audience.left', { nick }) }));
      }
    };
    const schedule = frameBatcher(render);
    const onRoom = (c: RoomChange) => {
      if (c.reset || c.audience) schedule();
    };
    render();
    subs.add(room.subscribe(onRoom), store.on('session', schedule));
    return { element: el, dispose: () => subs.dispose() };
  },
};
