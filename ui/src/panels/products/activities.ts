// The Activities tab: one button per kind (each opens a prefilled form),
// the running activities with the server's live counts, a countdown and
// End, and the ended ones collapsed below with why they ended, their
// winners and a draw's commitment and seed (so anyone can check it).
// Titles, prizes and nicknames are room data, set as text.

import type { Ctx } from '../../ctx';
import { language, t } from '../../i18n';
import type { Activity } from '../../ipc';
import { ACTIVITY_KINDS } from '../../lib/activityForm';
import {
  activityTitle,
  countdown,
  countsText,
  END_KEYS,
  KIND_KEYS,
  winnersText,
  type NameOf,
} from '../../lib/activityText';
import { button, h, setI18n, setText, show } from '../../lib/dom';
import { createActivityForm } from './activityForm';
import { productName, refusalBanner, type Section } from './common';

/** Hex digits of a commitment or seed shown before the ellipsis (the rest is in the tooltip). */
const PROOF_SHOWN = 12;

/** A running activity's row, kept across renders so End keeps its focus. */
class RunningRow {
  readonly el: HTMLElement;
  private readonly kind = h('span', { class: 'tag act-kind' });
  private readonly title = h('span', { class: 'act-title', testid: 'activity-title' });
  private readonly counts = h('span', { class: 'act-counts', testid: 'activity-counts' });
  /** What viewers send to enter a draw or a keyword lucky bag. */
  private readonly keyword = h('span', { class: 'act-keyword dim' });
  private readonly clock = h('span', { class: 'act-countdown mono', testid: 'activity-countdown' });
  private readonly endBtn: HTMLButtonElement;

  constructor(
    public activity: Activity,
    onEnd: (row: RunningRow) => void,
  ) {
    this.endBtn = button('activities.end', () => onEnd(this), { class: 'btn btn-small btn-danger', testid: 'activity-end' });
    this.el = h(
      'li',
      { class: 'act-running', testid: 'activity-item' },
      h('div', { class: 'act-head' }, this.kind, this.title, this.clock),
      h('div', { class: 'act-foot' }, this.counts, this.keyword, this.endBtn),
    );
  }

  update(a: Activity, nameOf: NameOf, now: number): void {
    this.activity = a;
    this.el.dataset.id = a.id;
    this.el.dataset.kind = a.spec.kind;
    setI18n(this.kind, KIND_KEYS[a.spec.kind]);
    setText(this.title, activityTitle(a, nameOf));
    setText(this.counts, countsText(a));
    const kw = keywordOf(a);
    setText(this.keyword, kw === null ? '' : t('activities.keyword_hint', { keyword: kw }));
    show(this.keyword, kw !== null);
    this.tick(now);
  }

  tick(now: number): void {
    setText(this.clock, countdown(this.activity, now));
  }
}

/** The keyword viewers send to take part, if it has one. */
function keywordOf(a: Activity): string | null {
  const s = a.spec;
  if (s.kind === 'draw') return s.keyword;
  if (s.kind === 'lucky_bag' && s.condition.type === 'keyword') return s.condition.keyword;
  return null;
}

/** A hex proof, shortened, with the whole value in its tooltip. */
function proof(label: 'activities.commitment' | 'activities.seed', value: string): HTMLElement {
  const short = value.length > PROOF_SHOWN ? `${value.slice(0, PROOF_SHOWN)}…` : value;
  return h(
    'div',
    { class: 'act-proof' },
    h('span', { class: 'dim', i18n: label }),
    h('code', { class: 'mono', text: short, attrs: { title: value } }),
  );
}

function endedRow(a: Activity, nameOf: NameOf): HTMLElement {
  const li = h(
    'li',
    { class: 'act-ended', testid: 'activity-ended-item', attrs: { 'data-id': a.id } },
    h(
      'div',
      { class: 'act-head' },
      h('span', { class: 'tag act-kind', i18n: KIND_KEYS[a.spec.kind] }),
      h('span', { class: 'act-title', text: activityTitle(a, nameOf) }),
      a.end_reason ? h('span', { class: 'act-reason dim', i18n: END_KEYS[a.end_reason] }) : null,
    ),
    h('div', { class: 'act-foot dim', text: countsText(a) }),
  );
  if (a.spec.kind === 'draw' || a.spec.kind === 'lucky_bag') {
    li.appendChild(
      a.winners.length
        ? h('div', { class: 'act-winners', testid: 'activity-winners', text: t('activities.winners', { names: winnersText(a.winners) }) })
        : h('div', { class: 'act-winners dim', testid: 'activity-winners', i18n: 'activities.no_winners' }),
    );
    if (a.commitment) li.appendChild(proof('activities.commitment', a.commitment));
    if (a.seed) li.appendChild(proof('activities.seed', a.seed));
  }
  return li;
}

export function createActivities(ctx: Ctx): Section {
  const { store, actions } = ctx;
  const state = store.activityStore;
  const form = createActivityForm(ctx);

  const newButtons = ACTIVITY_KINDS.map((kind) =>
    button(KIND_KEYS[kind], () => form.open(kind, kind === 'flash_sale' ? (store.lineupStore.snapshot?.current?.goods_id ?? null) : null), {
      class: 'btn btn-small',
      testid: `activity-new-${kind}`,
    }),
  );
  const refusal = refusalBanner('activity-refusal', () => state.setRefusal(null));
  const running = h('ol', { class: 'activities', testid: 'activities-running' });
  const none = h('p', { class: 'hint', testid: 'activities-none' });
  const endedCount = h('summary', {});
  const endedList = h('ol', { class: 'activities' });
  const ended = h('details', { class: 'activities-ended', testid: 'activities-ended' }, endedCount, endedList);
  const element = h(
    'section',
    { class: 'activities-section', testid: 'activities' },
    h('div', { class: 'row wrap activity-new' }, h('span', { class: 'dim', i18n: 'activities.new_label' }), ...newButtons),
    form.element,
    refusal.element,
    none,
    running,
    ended,
  );

  const rows = new Map<string, RunningRow>();
  const onEnd = (row: RunningRow) => void actions.activities.end(row.activity, activityTitle(row.activity, nameOf()));
  const nameOf = (): NameOf => {
    const lang = language();
    return (id) => {
      const n = store.lineupStore.namesOf(id);
      return n ? productName(n, lang, id) : id;
    };
  };

  // ---- the countdowns: once a second while anything runs ----
  let tick: ReturnType<typeof setInterval> | null = null;
  const tickAll = () => {
    const now = Date.now();
    for (const r of rows.values()) r.tick(now);
  };
  const syncTick = () => {
    if (rows.size > 0 && tick === null) tick = setInterval(tickAll, 1000);
    else if (rows.size === 0 && tick !== null) {
      clearInterval(tick);
      tick = null;
    }
  };

  /** What the ended list shows: ids and language (ended activities never change). */
  let endedKey: string | null = null;
  const render = () => {
    refusal.set(state.refusal === null ? null : t('activities.refused', { reason: state.refusal }));
    const names = nameOf();
    const now = Date.now();
    const list = state.running();
    const seen = new Set<string>();
    list.forEach((a, i) => {
      seen.add(a.id);
      let row = rows.get(a.id);
      if (!row) {
        row = new RunningRow(a, onEnd);
        rows.set(a.id, row);
      }
      row.update(a, names, now);
      const at = running.children[i];
      if (at !== row.el) running.insertBefore(row.el, at ?? null);
    });
    for (const [id, row] of rows) {
      if (seen.has(id)) continue;
      row.el.remove();
      rows.delete(id);
    }
    syncTick();
    if (state.error) setI18n(none, 'activities.unavailable', { reason: state.error });
    else setI18n(none, 'activities.none_running');
    show(none, list.length === 0);

    const done = state.ended();
    const key = `${language()}|${done.map((a) => a.id).join(',')}`;
    if (key !== endedKey) {
      endedKey = key;
      endedList.replaceChildren(...done.map((a) => endedRow(a, names)));
      setI18n(endedCount, 'activities.ended', { n: done.length });
    }
    show(ended, done.length > 0);
  };

  return {
    element,
    render,
    dispose() {
      if (tick !== null) clearInterval(tick);
      tick = null;
    },
  };
}
