// The end-of-session report: headline figures, the timeline chart with
// the explain windows, a sortable per-product table, the activities, and
// Export JSON / CSV (the shell writes the file and says where). Opens by
// itself when a session's report is ready, and from the sessions list.
// Product names, titles, prizes and nicknames are room data: set as text.

import type { Ctx } from '../ctx';
import { language, t, type MessageKey } from '../i18n';
import type { Activity, Headline, ProductFigures, ReportFormat, SessionReport } from '../ipc';
import { activityTitle, END_KEYS, KIND_KEYS, winnersText } from '../lib/activityText';
import { button, h, setI18n, setText, show } from '../lib/dom';
import { hms, int, mmss, money } from '../lib/format';
import {
  mainCurrency,
  nextSort,
  PRODUCT_COLUMNS,
  revenueText,
  sortProducts,
  type ProductColumn,
  type ProductSort,
} from '../lib/report';
import { modalOf, openModal, type Modal } from './modal';
import { createReportChart, type ReportChart } from './reportChart';

export const REPORT_DIALOG_ID = 'report-dialog';

type Money = (minor: number, currency: string) => string;

const FIGURES: { id: string; label: MessageKey; value: (h: Headline, m: Money) => string }[] = [
  { id: 'duration', label: 'report.fig_duration', value: (x) => hms(x.duration_ms) },
  { id: 'peak_online', label: 'report.fig_peak_online', value: (x) => int(x.peak_online) },
  { id: 'avg_online', label: 'report.fig_avg_online', value: (x) => int(x.avg_online) },
  { id: 'new_followers', label: 'report.fig_new_followers', value: (x) => int(x.new_followers) },
  { id: 'barrage', label: 'report.fig_barrage', value: (x) => int(x.barrage) },
  { id: 'likes', label: 'report.fig_likes', value: (x) => int(x.likes) },
  { id: 'gifts', label: 'report.fig_gifts', value: (x) => int(x.gifts) },
  { id: 'gift_value', label: 'report.fig_gift_value', value: (x) => int(x.gift_value) },
  { id: 'orders', label: 'report.fig_orders', value: (x) => int(x.orders) },
  { id: 'units', label: 'report.fig_units', value: (x) => int(x.units) },
  { id: 'revenue', label: 'report.fig_revenue', value: (x, m) => revenueText(x.revenue, m) },
  { id: 'coupon_claims', label: 'report.fig_coupon_claims', value: (x) => int(x.coupon_claims) },
];

const COLUMN_KEYS: Record<ProductColumn, MessageKey> = {
  name: 'report.col_name',
  explain_ms: 'report.col_explain_ms',
  explains: 'report.col_explains',
  views: 'report.col_views',
  clicks: 'report.col_clicks',
  orders: 'report.col_orders',
  units: 'report.col_units',
  revenue: 'report.col_revenue',
  coupon_claims: 'report.col_coupon_claims',
  gift_value: 'report.col_gift_value',
};

/** A cell's text; the sort uses `columnValue`. */
function cellText(p: ProductFigures, c: ProductColumn, m: Money): string {
  switch (c) {
    case 'name':
      return p.name || p.goods_id;
    case 'explain_ms':
      return mmss(p.explain_ms);
    case 'views':
      return `${int(p.views_during)} · ${int(p.views_after)}`;
    case 'clicks':
      return `${int(p.clicks_during)} · ${int(p.clicks_after)}`;
    case 'revenue':
      return revenueText(p.revenue, m);
    default:
      return int(p[c]);
  }
}

function headlineGrid(x: Headline, m: Money): HTMLElement {
  return h(
    'dl',
    { class: 'report-headline', testid: 'report-headline' },
    ...FIGURES.map((f) =>
      h(
        'div',
        { class: 'figure', testid: `report-fig-${f.id}` },
        h('dt', { i18n: f.label }),
        h('dd', { text: f.value(x, m) }),
      ),
    ),
  );
}

/** The per-product table; a click on a header sorts by it (again: the other way). */
function productTable(report: SessionReport, m: Money): HTMLElement {
  const currency = mainCurrency(report.headline.revenue);
  let sort: ProductSort | null = null;
  const body = h('tbody', {});
  const heads = PRODUCT_COLUMNS.map((c) => {
    const b = h('button', {
      class: 'sort',
      testid: `report-sort-${c}`,
      i18n: COLUMN_KEYS[c],
      attrs: { type: 'button' },
      on: {
        click: () => {
          sort = nextSort(sort, c);
          fill();
        },
      },
    });
    return { c, th: h('th', { class: c === 'name' ? '' : 'num', attrs: { scope: 'col' } }, b) };
  });
  const fill = () => {
    const rows = sort ? sortProducts(report.products, sort, currency) : report.products;
    for (const { c, th } of heads) {
      if (sort?.column === c) th.setAttribute('aria-sort', sort.dir === 'asc' ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
    body.replaceChildren(
      ...rows.map((p) =>
        h(
          'tr',
          { attrs: { 'data-goods-id': p.goods_id } },
          ...PRODUCT_COLUMNS.map((c) =>
            h('td', { class: c === 'name' ? 'name' : 'num', text: cellText(p, c, m), attrs: { 'data-col': c } }),
          ),
        ),
      ),
    );
    if (rows.length === 0) {
      body.appendChild(h('tr', {}, h('td', { class: 'dim', i18n: 'report.no_products', attrs: { colspan: PRODUCT_COLUMNS.length } })));
    }
  };
  fill();
  return h(
    'table',
    { class: 'report-table', testid: 'report-products' },
    h('thead', {}, h('tr', {}, ...heads.map((x) => x.th))),
    body,
  );
}

function activitiesTable(activities: readonly Activity[], nameOf: (id: string) => string): HTMLElement {
  const cols: MessageKey[] = [
    'report.act_kind',
    'report.act_title',
    'report.act_taken',
    'report.act_people',
    'report.act_winners',
    'report.act_end',
  ];
  const rows = activities.map((a) =>
    h(
      'tr',
      { attrs: { 'data-id': a.id } },
      h('td', { i18n: KIND_KEYS[a.spec.kind] }),
      h('td', { class: 'name', text: activityTitle(a, nameOf) }),
      h('td', { class: 'num', text: int(a.taken) }),
      h('td', { class: 'num', text: int(a.people) }),
      h('td', { text: winnersText(a.winners) }),
      a.end_reason ? h('td', { i18n: END_KEYS[a.end_reason] }) : h('td', { i18n: 'report.act_running' }),
    ),
  );
  if (rows.length === 0) rows.push(h('tr', {}, h('td', { class: 'dim', i18n: 'report.no_activities', attrs: { colspan: cols.length } })));
  return h(
    'table',
    { class: 'report-table', testid: 'report-activities' },
    h('thead', {}, h('tr', {}, ...cols.map((k) => h('th', { i18n: k, attrs: { scope: 'col' } })))),
    h('tbody', {}, ...rows),
  );
}

export interface ReportDialog {
  modal: Modal;
  /** Settles once the report is shown (or its failure is). */
  ready: Promise<void>;
}

/**
 * Opens the report of session `id` in `host` (replacing one already open).
 * `returnFocus`: where the focus goes on close (by default, what has it now).
 */
export function openReportDialog(ctx: Ctx, host: HTMLElement, id: string, returnFocus?: HTMLElement | null): ReportDialog {
  // One report at a time; the newer one sends the focus back where the first would have.
  const previous = modalOf(host.querySelector(`[data-testid="${REPORT_DIALOG_ID}"]`));
  if (previous) {
    returnFocus ??= previous.returnFocus;
    previous.close();
  }
  const lang = language();
  const m: Money = (minor, currency) => money(minor, currency, lang);

  const title = h('h2', { i18n: 'report.title' });
  const subtitle = h('p', { class: 'hint', testid: 'report-subtitle' });
  const status = h('p', { class: 'hint', testid: 'report-status', i18n: 'report.loading', attrs: { role: 'status' } });
  const body = h('div', { class: 'report-body' });
  body.hidden = true;
  const saved = h('span', { class: 'hint mono', testid: 'report-export-path', attrs: { role: 'status' } });
  const exportBtn = (format: ReportFormat, label: MessageKey) => {
    const b = button(label, () => void doExport(format, b), { class: 'btn', testid: `report-export-${format}` });
    b.disabled = true;
    return b;
  };
  const json = exportBtn('json', 'report.export_json');
  const csv = exportBtn('csv', 'report.export_csv');
  const closeBtn = button('common.close', () => modal.close(), { class: 'btn btn-primary', testid: 'report-close' });

  let chart: ReportChart | null = null;
  const modal = openModal(
    host,
    { testid: REPORT_DIALOG_ID, class: 'report', label: title, returnFocus, onClose: () => chart?.destroy() },
    h('div', { class: 'report-head' }, title, subtitle),
    status,
    body,
    h('div', { class: 'dialog-buttons report-buttons' }, saved, json, csv, closeBtn),
  );
  closeBtn.focus();

  async function doExport(format: ReportFormat, b: HTMLButtonElement): Promise<void> {
    b.disabled = true;
    const r = await ctx.actions.activities.exportReport(id, format);
    b.disabled = false;
    if (r.ok) setI18n(saved, 'report.saved', { path: r.value });
    else setI18n(saved, 'report.export_failed', { reason: r.error.message });
    saved.classList.toggle('err', !r.ok);
  }

  const ready = ctx.actions.activities.report(id).then((r) => {
    if (!modal.isOpen) return;
    if (!r.ok) {
      setI18n(status, 'report.failed', { reason: r.error.message });
      return;
    }
    const rep = r.value;
    const names = new Map(rep.products.map((p) => [p.goods_id, p.name || p.goods_id]));
    const nameOf = (gid: string) => names.get(gid) ?? gid;
    const s = rep.summary;
    const started = new Date(s.started_at).toLocaleString(lang);
    setText(subtitle, t('report.subtitle', { started, room: s.room }));
    chart = createReportChart(rep, nameOf);
    body.replaceChildren(
      headlineGrid(rep.headline, m),
      h('h3', { i18n: 'report.timeline' }),
      chart.element,
      h('h3', { i18n: 'report.products' }),
      h('div', { class: 'table-wrap' }, productTable(rep, m)),
      h('h3', { i18n: 'report.activities' }),
      h('div', { class: 'table-wrap' }, activitiesTable(rep.activities, nameOf)),
    );
    show(status, false);
    body.hidden = false;
    json.disabled = false;
    csv.disabled = false;
  });
  return { modal, ready };
}
