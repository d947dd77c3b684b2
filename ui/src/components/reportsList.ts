// The sessions list (toolbar "Reports"): every session with a report,
// newest first, with when it started, how long it ran, its orders and
// revenue. A click opens that session's report.

import type { Ctx } from '../ctx';
import { language } from '../i18n';
import type { SessionSummary } from '../ipc';
import { button, h, setI18n } from '../lib/dom';
import { hms, int, money } from '../lib/format';
import { revenueText } from '../lib/report';
import { modalOf, openModal, type Modal } from './modal';
import { openReportDialog } from './reportDialog';

export const REPORTS_LIST_ID = 'reports-list';

function row(s: SessionSummary, lang: string, open: () => void): HTMLElement {
  const started = new Date(s.started_at).toLocaleString(lang);
  const duration = s.ended_at === null ? null : hms(s.ended_at - s.started_at);
  return h(
    'tr',
    { testid: 'report-row', attrs: { 'data-id': s.id } },
    h(
      'td',
      {},
      h('button', { class: 'btn-link', text: started, attrs: { type: 'button' }, on: { click: open } }),
    ),
    duration === null ? h('td', { class: 'num', i18n: 'reports.running' }) : h('td', { class: 'num', text: duration }),
    h('td', { class: 'num', text: int(s.orders) }),
    h('td', { class: 'num', text: revenueText(s.revenue, (m, c) => money(m, c, lang)) }),
    h('td', { class: 'dim', text: s.room }),
  );
}

export interface ReportsList {
  modal: Modal;
  ready: Promise<void>;
}

/** Opens the sessions list in `host`; the focus goes back to `returnFocus` (the Reports button) on close. */
export function openReportsList(ctx: Ctx, host: HTMLElement, returnFocus?: HTMLElement | null): ReportsList {
  modalOf(host.querySelector(`[data-testid="${REPORTS_LIST_ID}"]`))?.close();
  const lang = language();
  const title = h('h2', { i18n: 'reports.title' });
  const status = h('p', { class: 'hint', testid: 'reports-status', i18n: 'reports.loading', attrs: { role: 'status' } });
  const body = h('tbody', {});
  const table = h(
    'table',
    { class: 'report-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...(['reports.col_started', 'reports.col_duration', 'reports.col_orders', 'reports.col_revenue', 'reports.col_room'] as const).map(
          (k) => h('th', { i18n: k, attrs: { scope: 'col' } }),
        ),
      ),
    ),
    body,
  );
  table.hidden = true;
  const closeBtn = button('common.close', () => modal.close(), { class: 'btn', testid: 'reports-close' });
  const modal = openModal(
    host,
    { testid: REPORTS_LIST_ID, class: 'reports', label: title, returnFocus },
    title,
    status,
    h('div', { class: 'table-wrap' }, table),
    h('div', { class: 'dialog-buttons' }, closeBtn),
  );
  closeBtn.focus();
  const back = modal.returnFocus;

  const ready = ctx.actions.activities.reports().then((r) => {
    if (!modal.isOpen) return;
    if (!r.ok) {
      setI18n(status, 'reports.failed', { reason: r.error.message });
      return;
    }
    if (r.value.length === 0) {
      setI18n(status, 'reports.empty');
      return;
    }
    status.hidden = true;
    table.hidden = false;
    body.replaceChildren(
      ...r.value.map((s) =>
        row(s, lang, () => {
          modal.close();
          openReportDialog(ctx, host, s.id, back);
        }),
      ),
    );
    body.querySelector('button')?.focus();
  });
  return { modal, ready };
}
