import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../ipc/api', async () => (await import('../test/apiMock')).apiMock);

import { fake } from '../test/apiMock';
import { report, summary } from '../test/commerce';
import { byTestId, makeCtx } from '../test/ctx';
import { makeFakeApi } from '../test/fakeApi';
import { EVIL } from '../test/productsRig';
import { openReportDialog } from './reportDialog';
import { openReportsList } from './reportsList';

const settled = (check: () => void) => vi.waitFor(check, { timeout: 2000, interval: 10 });

function rig() {
  fake.current = makeFakeApi();
  const api = fake.current.api;
  api.sessionReport.mockResolvedValue(report(EVIL));
  const host = document.createElement('div');
  document.body.appendChild(host);
  const opener = document.createElement('button');
  host.appendChild(opener);
  opener.focus();
  const ctx = makeCtx(host);
  const q = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = host) => byTestId<T>(root, id);
  return { api, host, ctx, q, opener };
}

const productOrder = (q: ReturnType<typeof rig>['q']) =>
  [...q('report-products')!.querySelectorAll<HTMLElement>('tbody tr')].map((r) => r.dataset.goodsId);

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('the report dialog', () => {
  it('is a modal that shows the headline figures of the report', async () => {
    const { api, ctx, host, q } = rig();
    const d = openReportDialog(ctx, host, 's1700000000000');
    const box = q('report-dialog')!.querySelector('[role="dialog"]')!;
    expect(box.getAttribute('aria-modal')).toBe('true');
    expect(document.getElementById(box.getAttribute('aria-labelledby')!)!.textContent).toBe('Session report');
    await d.ready;
    expect(api.sessionReport).toHaveBeenCalledWith('s1700000000000');
    const fig = (id: string) => q(`report-fig-${id}`)!.querySelector('dd')!.textContent;
    expect(fig('duration')).toBe('01:02:03');
    expect(fig('peak_online')).toBe('128');
    expect(fig('avg_online')).toBe('64');
    expect(fig('new_followers')).toBe('12');
    expect(fig('barrage')).toBe('3,456');
    expect(fig('gift_value')).toBe('8,800');
    expect(fig('orders')).toBe('7');
    expect(fig('units')).toBe('9');
    expect(fig('revenue')).toBe('CN¥693.00 + $12.50');
    // The chart's place is there (jsdom cannot draw; it says so).
    expect(q('report-chart')).not.toBeNull();
    expect(q('report-chart-status')!.textContent).not.toBe('');
    expect(q('report-legend')!.textContent).toContain('Silk Scarf');
  });

  it('sorts the product table by the clicked column, as numbers', async () => {
    const { ctx, host, q } = rig();
    await openReportDialog(ctx, host, 's1').ready;
    expect(productOrder(q)).toEqual(['p1', 'p2', 'p3']);
    q('report-sort-explain_ms')!.click();
    expect(productOrder(q)).toEqual(['p2', 'p1', 'p3']);
    expect(q('report-sort-explain_ms')!.parentElement!.getAttribute('aria-sort')).toBe('descending');
    q('report-sort-explain_ms')!.click();
    expect(productOrder(q)).toEqual(['p3', 'p1', 'p2']);
    q('report-sort-revenue')!.click();
    expect(productOrder(q)).toEqual(['p3', 'p2', 'p1']);
    expect(q('report-sort-explain_ms')!.parentElement!.hasAttribute('aria-sort')).toBe(false);
  });

  it('lists the activities, and shows room strings as text', async () => {
    const { ctx, host, q } = rig();
    await openReportDialog(ctx, host, 's1').ready;
    const row = q('report-activities')!.querySelector('tbody tr')!;
    expect([...row.children].map((c) => c.textContent)).toEqual(['Lucky draw', EVIL, '40', '40', `${EVIL}, Bo`, 'time up']);
    expect(q('report-products')!.querySelector('td.name')!.textContent).toBe(EVIL);
    expect(q('report-dialog')!.querySelector('img')).toBeNull();
  });

  it('exports JSON or CSV and says where the file went', async () => {
    const { api, ctx, host, q } = rig();
    await openReportDialog(ctx, host, 's9').ready;
    q<HTMLButtonElement>('report-export-csv')!.click();
    await settled(() => expect(q('report-export-path')!.textContent).toBe('Saved to /data/reports/s9.csv'));
    expect(api.reportExport).toHaveBeenCalledWith('s9', 'csv');
    api.reportExport.mockRejectedValueOnce({ code: 'io', message: 'disk full' });
    q<HTMLButtonElement>('report-export-json')!.click();
    await settled(() => expect(q('report-export-path')!.textContent).toContain('disk full'));
    expect(api.reportExport).toHaveBeenLastCalledWith('s9', 'json');
  });

  it('says why a report could not be loaded', async () => {
    const { api, ctx, host, q } = rig();
    api.sessionReport.mockRejectedValueOnce({ code: 'not_found', message: 'the report of session s1' });
    await openReportDialog(ctx, host, 's1').ready;
    expect(q('report-status')!.textContent).toContain('the report of session s1');
    expect(q<HTMLButtonElement>('report-export-json')!.disabled).toBe(true);
  });

  it('Escape closes it and the focus goes back', async () => {
    const { ctx, host, q, opener } = rig();
    await openReportDialog(ctx, host, 's1').ready;
    expect(document.activeElement).toBe(q('report-close'));
    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(q('report-dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('keeps Tab inside the dialog', async () => {
    const { ctx, host, q } = rig();
    await openReportDialog(ctx, host, 's1').ready;
    const close = q('report-close')!;
    close.focus();
    const tab = new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true });
    close.dispatchEvent(tab);
    expect(tab.defaultPrevented).toBe(true);
    expect(q('report-dialog')!.contains(document.activeElement)).toBe(true);
    expect(document.activeElement).not.toBe(close);
  });
});

describe('the sessions list', () => {
  it('lists sessions newest first and opens one’s report; closing it returns to the button', async () => {
    const { api, ctx, host, q, opener } = rig();
    api.sessionReports.mockResolvedValueOnce([
      summary({ id: 's2', started_at: 1_700_100_000_000, orders: 3, revenue: { CNY: 1000 }, room: EVIL }),
      summary({ id: 's1', ended_at: null }),
    ]);
    await openReportsList(ctx, host, opener).ready;
    const rows = [...host.querySelectorAll<HTMLElement>('[data-testid="report-row"]')];
    expect(rows.map((r) => r.dataset.id)).toEqual(['s2', 's1']);
    expect(rows[0]!.textContent).toContain('CN¥10.00');
    expect(rows[0]!.textContent).toContain(EVIL);
    expect(rows[1]!.textContent).toContain('running');
    rows[0]!.querySelector('button')!.click();
    expect(q('reports-list')).toBeNull();
    await settled(() => expect(q('report-headline')).not.toBeNull());
    expect(api.sessionReport).toHaveBeenCalledWith('s2');
    q('report-close')!.click();
    expect(document.activeElement).toBe(opener);
  });

  it('says when there is no report yet', async () => {
    const { ctx, host, q } = rig();
    await openReportsList(ctx, host, null).ready;
    expect(q('reports-status')!.textContent).toBe('No session has a report yet.');
  });
});
