// End to end: a rehearsal runs marketing activities and ends with a
// report. In the real app (WebKitGTK), the host starts a rehearsal, puts
// a product on screen, and from the Products panel's Activities tab
// starts a coupon, a flash sale on that product and a keyword draw with
// one click each (the forms' defaults). The simulated audience claims,
// buys and sends the keyword; the running list counts it live. Ending
// the rehearsal opens the report window with its chart (a uPlot canvas
// that is drawn, not blank), the per-product table, the activities with
// the draw's winners, and a CSV export. The sessions list reopens it.
// Screenshots go to $E2E_ARTIFACTS (commerce-*.png).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { By, until } from 'selenium-webdriver';
import {
  AppInstance, byTestId, click, endAndGetRecording, makeClip, shot, waitFor, startRehearsal,
} from './harness.mjs';

const app = new AppInstance('commerce');

before(async () => {
  app.writeSettings(makeClip(), {
    rehearsal: { viewers: 30, barrage_per_s: 4, gifts_per_s: 0.5, take_part: 1.0, card_clicks_per_s: 5 },
  });
  await app.startDriver();
});

after(async () => {
  await app.stopDriver();
});

/** Calls a studio command from the page (for checks, not for actions). */
const invoke = (driver, cmd, args = {}) =>
  driver.executeAsyncScript(`
    const [cmd, args, done] = arguments;
    window.__TAURI_INTERNALS__.invoke(cmd, args).then(
      (v) => done({ ok: v }), (e) => done({ err: JSON.stringify(e) }));
  `, cmd, args);

/** Pixel statistics of the report chart's canvas. */
const CHART_STATS = `
  const c = document.querySelector('[data-testid="report-chart"] canvas');
  if (!c || c.width < 100 || c.height < 50) return null;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const colours = new Set();
  let painted = 0;
  for (let i = 0; i < d.length; i += 16) {
    if (d[i + 3] > 0) painted++;
    colours.add((d[i] >> 4) << 8 | (d[i + 1] >> 4) << 4 | (d[i + 2] >> 4));
  }
  return { w: c.width, h: c.height, painted, colours: colours.size };
`;

test('a rehearsal runs a coupon, a flash sale and a draw, and ends with a report', async () => {
  const { driver } = await app.openApp();
  try {
    await driver.wait(until.elementLocated(byTestId('mode-rehearsal')), 30000, 'start screen');
    await click(driver, 'mode-rehearsal');
    await startRehearsal(driver);

    // A product on screen: the flash sale's form picks it by default.
    await click(driver, 'next-product');
    await waitFor(driver, 'a product on screen', async () => {
      const r = await invoke(driver, 'lineup');
      return r.ok?.current ? r.ok.current.goods_id : null;
    });
    await click(driver, 'products-tab-activities');
    for (const kind of ['coupon', 'flash_sale', 'draw']) {
      await click(driver, `activity-new-${kind}`);
      await driver.wait(until.elementIsVisible(await driver.findElement(byTestId('activity-form'))), 5000);
      await click(driver, 'activity-start');
      await waitFor(driver, `the ${kind} running`, async () => {
        const r = await invoke(driver, 'activities');
        return (r.ok ?? []).some((a) => a.spec.kind === kind && a.phase === 'running') || null;
      }, 15000);
    }
    const rows = await driver.findElements(byTestId('activity-item'));
    assert.equal(rows.length, 3, 'three activities in the running list');

    // The bots take part: every activity counts someone.
    const counted = await waitFor(driver, 'bots taking part in all three', async () => {
      const list = (await invoke(driver, 'activities')).ok ?? [];
      return list.length >= 3 && list.every((a) => a.taken > 0) ? list : null;
    }, 60000);
    const countsText = await driver.findElement(byTestId('activity-counts')).getText();
    assert.match(countsText, /[1-9]/, `the list shows the counts (${countsText})`);
    // The flash sale on the product on screen shows on its card.
    const saleClock = await driver.findElement(byTestId('current-sale-countdown')).getText();
    assert.match(saleClock, /\d\d:\d\d/, `the sale's countdown (${saleClock})`);
    await shot(driver, 'commerce-01-activities.png');

    // End: the report opens by itself, with a drawn chart.
    await endAndGetRecording(driver, 30000);
    const dialog = await driver.wait(until.elementLocated(byTestId('report-dialog')), 20000, 'the report');
    assert.ok(await dialog.isDisplayed());
    const chart = await waitFor(driver, 'the report chart drawn', async () => {
      const s = await driver.executeScript(CHART_STATS);
      return s && s.painted > 500 && s.colours >= 4 ? s : null;
    }, 20000);
    assert.ok(chart.w >= 300, `chart ${chart.w}x${chart.h}`);
    const orders = await driver.findElement(byTestId('report-fig-orders')).getText();
    assert.match(orders, /[1-9]/, `orders in the headline (${orders})`);
    const productRows = await driver.findElements(By.css('[data-testid="report-products"] tbody tr'));
    assert.ok(productRows.length >= 1, 'a per-product row');
    const actRows = await driver.findElements(By.css('[data-testid="report-activities"] tbody tr'));
    assert.equal(actRows.length, 3, 'the three activities in the report');
    const summary = (await invoke(driver, 'session_reports')).ok[0];
    const report = (await invoke(driver, 'session_report', { id: summary.id })).ok;
    const drawn = report.activities.find((a) => a.spec.kind === 'draw');
    assert.ok(drawn.winners.length > 0 && drawn.seed, 'the draw drew when the session ended');
    assert.ok(counted.every((a) => report.activities.some((b) => b.id === a.id)));
    await shot(driver, 'commerce-02-report.png');

    const exportCsv = await driver.findElement(byTestId('report-export-csv'));
    await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', exportCsv);
    await exportCsv.click();
    const saved = await waitFor(driver, 'the CSV saved', async () => {
      const t = (await driver.findElement(byTestId('report-export-path')).getText()).trim();
      const m = t.match(/(\/\S+\.csv)/);
      return m ? m[1] : null;
    });
    const header = fs.readFileSync(saved, 'utf8').split('\n')[0];
    assert.match(header, /^goods_id,name,explains,/);
    const close = await driver.findElement(byTestId('report-close'));
    await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', close);
    await close.click();

    // The sessions list reopens it (once the end-of-broadcast summary
    // under the report is dismissed).
    await click(driver, 'dismiss-summary');
    await click(driver, 'reports-button');
    const row = await driver.wait(until.elementLocated(byTestId('report-row')), 10000, 'a session row');
    await row.findElement(By.css('button')).click();
    await driver.wait(until.elementLocated(byTestId('report-dialog')), 10000, 'the report again');
    await waitFor(driver, 'the chart again', async () => driver.executeScript(CHART_STATS), 20000);
    await shot(driver, 'commerce-03-reopened.png');
  } finally {
    await driver.quit();
  }
});
