// End to end: one shared lineup, two real windows. A standalone room
// server (`shopcast room-server`) holds room "shop"; a host window (Live
// mode, with the host's token) fills the lineup from its catalogue, and an
// assistant window (Assistant mode, with an assistant's token, its own
// config and data folders and its own tauri-driver) sees the same lineup,
// drags a row to the top and explains a product. The host's window shows
// the new order and the product being explained within a second of the
// assistant's action, and its activity feed names the assistant.
// Run by tests/e2e/run.sh (`bash tests/e2e/run.sh lineup.test.mjs` for
// this file alone). Screenshots and the measured times
// (lineup-timings.json) go to $E2E_ARTIFACTS.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { By, until } from 'selenium-webdriver';
import {
  ARTIFACTS, AppInstance, byTestId, cli, click, home, makeClip, shot, startRoomServer, typeInto, waitFor,
} from './harness.mjs';

const ROOM = 'shop';
const ASSISTANT_NICK = '小助手';
const DEMO = path.resolve('../../crates/commerce/assets/demo');

/** The host's catalogue: ids, names and prices (minor units) as imported. */
const PRODUCTS = [
  { id: 'p-tea', zh: '西湖龙井', en: 'West Lake Longjing Tea', price: 12800, stock: 50, list: 15800, image: 'tea.png' },
  { id: 'p-scarf', zh: '真丝围巾', en: 'Silk Scarf', price: 29900, stock: 20, list: '', image: 'scarf.png' },
  { id: 'p-mug', zh: '陶瓷马克杯', en: 'Ceramic Mug', price: 4900, stock: 120, list: 6900, image: 'orange.png' },
  { id: 'p-tote', zh: '帆布托特包', en: 'Canvas Tote', price: 5900, stock: 8, list: '', image: '' },
];
const nameOf = (id) => PRODUCTS.find((p) => p.id === id).en;

const host = new AppInstance('host');
const assistant = new AppInstance('assistant');
let room;
const timings = {};

/** The lineup rows' goods ids, top to bottom. */
const LINEUP_IDS = `
  return [...document.querySelectorAll('[data-testid="lineup"] > [data-testid="lineup-row"]')]
    .map((r) => r.dataset.goodsId);
`;

/** Starts watching the page for a state (the lineup's order `arguments[1]`
 *  when given, the product explained `arguments[2]` when given) and keeps
 *  the page's own clock at the first DOM change that shows it, in
 *  `window.__e2eWatch[arguments[0]]`. A MutationObserver callback runs
 *  right after the render that made the change, so the time is the page's,
 *  not the poll's. */
const WATCH = `
  const [key, order, current] = arguments;
  const w = { seenAt: null };
  (window.__e2eWatch = window.__e2eWatch || {})[key] = w;
  const ok = () => {
    if (order) {
      const ids = [...document.querySelectorAll('[data-testid="lineup"] > [data-testid="lineup-row"]')]
        .map((r) => r.dataset.goodsId);
      if (ids.join(',') !== order.join(',')) return false;
    }
    if (current) {
      const box = document.querySelector('[data-testid="current-product"]');
      const name = document.querySelector('[data-testid="current-name"]');
      if (!box || box.classList.contains('idle') || !name || name.textContent !== current) return false;
    }
    return true;
  };
  const obs = new MutationObserver(() => {
    if (w.seenAt === null && ok()) {
      w.seenAt = Date.now();
      obs.disconnect();
    }
  });
  obs.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
  return ok();
`;

/** In the assistant's page: the page's clock at its last pointerup and
 *  click (capture phase, before the panel's own handlers run). */
const RECORD_ACTIONS = `
  window.__e2eAct = {};
  document.addEventListener('pointerup', () => (window.__e2eAct.pointerup = Date.now()), true);
  document.addEventListener('click', () => (window.__e2eAct.click = Date.now()), true);
`;

/** Polls the host's watch `key` every 50 ms; returns both measures of how
 *  long after `actAt` (the assistant page's clock) the host showed it. */
async function convergence(hostDriver, asstDriver, key, actKind, ms = 10000) {
  const end = Date.now() + ms;
  let seenAt = null;
  let polledAt = null;
  while (Date.now() < end) {
    seenAt = await hostDriver.executeScript(`return window.__e2eWatch[arguments[0]].seenAt`, key);
    if (seenAt !== null) {
      polledAt = Date.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const actAt = await asstDriver.executeScript(`return window.__e2eAct[arguments[0]] ?? null`, actKind);
  assert.ok(actAt, `the assistant's ${actKind} was recorded`);
  assert.ok(seenAt !== null, `the host window did not show "${key}" within ${ms} ms of the assistant's ${actKind}`);
  // Both clocks are this machine's (Date.now() in two web views and node).
  return { page_ms: seenAt - actAt, poll_ms: polledAt - actAt };
}

/** Brings the Products panel to the front of its dock group. */
async function showProducts(driver) {
  await waitFor(driver, 'the dock', async () =>
    driver.executeScript('return !!(window.__shopcast && window.__shopcast.dock && window.__shopcast.dock.getGroupPanel("products"))'));
  await driver.executeScript('window.__shopcast.dock.getGroupPanel("products").api.setActive()');
  await driver.wait(until.elementIsVisible(await driver.findElement(byTestId('current-product'))), 10000, 'the Products panel');
}

const SESSION_ROOM = `
  const done = arguments[arguments.length - 1];
  window.__TAURI_INTERNALS__.invoke('app_info')
    .then((i) => done({ room: i.session.room, warnings: i.session.warnings }), (err) => done({ error: String(err) }));
`;

/** Waits for the session (the core's own view, from `app_info`) to be
 *  connected to the room; on a timeout, says what the session and the
 *  room server knew. */
async function roomConnected(driver) {
  let last;
  try {
    await waitFor(driver, 'the room connected', async () => {
      last = await driver.executeAsyncScript(SESSION_ROOM);
      return last.room?.connected === true;
    }, 30000);
  } catch (e) {
    throw new Error(`${e.message}\nsession: ${JSON.stringify(last)}\nroom server: ${room.log().slice(-3000)}`);
  }
}

/** Whether the toolbar's room chip says connected within `ms`. */
async function chipConnected(driver, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const chip = await driver.findElement(byTestId('room-chip'));
    if (/\bok\b/.test(await chip.getAttribute('class'))) return true;
    await driver.sleep(100);
  }
  return false;
}

/** The host's activity lines (role and text), newest first. */
const ACTIVITY = `
  return [...document.querySelectorAll('[data-testid="lineup-activity"] li.act-lineup')]
    .map((li) => ({ role: li.dataset.role, text: li.querySelector('.act-text').textContent }));
`;

before(async () => {
  // Images: two demo pictures and an orange square made here.
  const cat = path.join(home, 'catalogue');
  fs.mkdirSync(cat);
  for (const f of ['tea.png', 'scarf.png']) fs.copyFileSync(path.join(DEMO, f), path.join(cat, f));
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=orange:s=256x256', '-frames:v', '1', path.join(cat, 'orange.png'),
  ]);
  const csv = [
    'id,name_zh,name_en,price,currency,stock,list_price,image',
    ...PRODUCTS.map((p) => [p.id, p.zh, p.en, p.price, 'CNY', p.stock, p.list, p.image].join(',')),
  ].join('\n');
  fs.writeFileSync(path.join(cat, 'products.csv'), `${csv}\n`);
  const imported = cli(['catalog', 'import', path.join(cat, 'products.csv'), '--data', host.dataDir]);
  assert.match(imported, new RegExp(`added ${PRODUCTS.length}, updated 0, refused 0`));

  const clip = makeClip();
  host.writeSettings(clip);
  assistant.writeSettings(clip);
  room = await startRoomServer();
  await host.startDriver();
  await assistant.startDriver();
});

after(async () => {
  await Promise.all([host.stopDriver(), assistant.stopDriver(), room?.stop()]);
  fs.writeFileSync(path.join(ARTIFACTS, 'lineup-timings.json'), JSON.stringify(timings, null, 2));
});

test('host and assistant share one lineup: a drag and an explain converge within a second', async (t) => {
  const url = room.url(ROOM);
  const hostToken = room.token({ role: 'host', room: ROOM, user: 'host', nick: 'Host' });
  const asstToken = room.token({ role: 'assistant', room: ROOM, user: 'asst', nick: ASSISTANT_NICK });
  let h;
  let a;
  try {
    // ---- host: Live mode in the room, no destinations ----
    ({ driver: h } = await host.openApp());
    await h.wait(until.elementLocated(byTestId('mode-live')), 30000, 'the host start screen');
    await typeInto(h, 'live-room-url', url);
    await typeInto(h, 'live-token', hostToken);
    await click(h, 'mode-live');
    await waitFor(h, 'live mode', async () =>
      (await h.findElement(byTestId('mode-chip')).getAttribute('class')) === 'mode-chip mode-live', 30000);
    await roomConnected(h);
    const chips = { host: await chipConnected(h) };
    await showProducts(h);
    await waitFor(h, 'an empty lineup', async () =>
      (await h.findElement(byTestId('lineup-empty')).isDisplayed()) && (await h.executeScript(LINEUP_IDS)).length === 0);

    // Three catalogue products into the lineup, one after another.
    await click(h, 'products-tab-catalog');
    const added = ['p-tea', 'p-scarf', 'p-mug'];
    for (const id of added) {
      const add = await h.wait(
        until.elementLocated(By.css(`[data-testid="catalog-row"][data-id="${id}"] [data-testid="add-to-lineup"]`)),
        20000,
        `${id} in the catalogue`,
      );
      await h.executeScript('arguments[0].scrollIntoView({ block: "center" })', add);
      await h.wait(until.elementIsEnabled(add), 10000, `add ${id} enabled`);
      await add.click();
      await waitFor(h, `${id} in the lineup`, async () => (await h.executeScript(LINEUP_IDS)).includes(id));
      await h.wait(until.elementIsDisabled(add), 10000, `add ${id} off once in the lineup`);
    }
    await click(h, 'products-tab-lineup');
    assert.deepEqual(await h.executeScript(LINEUP_IDS), added, 'the host lineup in the order added');

    // ---- assistant: Assistant mode in the same room ----
    ({ driver: a } = await assistant.openApp());
    await a.wait(until.elementLocated(byTestId('mode-assistant')), 30000, 'the assistant start screen');
    await typeInto(a, 'assistant-room-url', url);
    await typeInto(a, 'assistant-token', asstToken);
    await click(a, 'mode-assistant');
    await waitFor(a, 'assistant mode', async () =>
      (await a.findElement(byTestId('mode-chip')).getAttribute('class')) === 'mode-chip mode-assistant', 30000);
    await roomConnected(a);
    chips.assistant = await chipConnected(a);
    timings.room_chip_connected = chips;
    await showProducts(a);
    const seen = await waitFor(a, "the host's lineup in the assistant window", async () => {
      const ids = await a.executeScript(LINEUP_IDS);
      return ids.join(',') === added.join(',') ? ids : null;
    });
    assert.deepEqual(seen, added, 'the assistant sees the same rows in the same order');
    const names = await a.executeScript(
      `return [...document.querySelectorAll('[data-testid="lineup-row"] .name')].map((n) => n.textContent)`,
    );
    assert.deepEqual(names, added.map(nameOf), 'with the same names');
    await a.executeScript(RECORD_ACTIONS);

    // ---- the assistant drags #3 (the mug) above #1 ----
    const moved = ['p-mug', 'p-tea', 'p-scarf'];
    assert.equal(await h.executeScript(WATCH, 'move', moved, null), false);
    const rows = await a.findElements(byTestId('lineup-row'));
    await a.executeScript('arguments[0].scrollIntoView({ block: "center" })', rows[1]);
    const handle = await rows[2].findElement(byTestId('drag-handle'));
    const firstRect = await rows[0].getRect();
    // WebDriver pointer actions: press on the handle, move through the
    // list to the upper half of row #1, release. Offsets are from the
    // centre of the origin element.
    await a.actions({ async: true })
      .move({ origin: handle })
      .press()
      .move({ origin: rows[1], duration: 100 })
      .move({ origin: rows[0], y: -Math.floor(firstRect.height / 2) + 3, duration: 100 })
      .release()
      .perform();
    const move = await convergence(h, a, 'move', 'pointerup');
    timings.move = move;
    console.log(`host shows the assistant's drag after ${move.page_ms} ms (page clock), ${move.poll_ms} ms (50 ms poll)`);
    assert.deepEqual(await h.executeScript(LINEUP_IDS), moved, 'the host shows the new order');
    assert.ok(move.page_ms <= 1000, `the new order showed ${move.page_ms} ms after the drop (at most 1000)`);
    await waitFor(a, 'the new order in the assistant window', async () =>
      (await a.executeScript(LINEUP_IDS)).join(',') === moved.join(','), 5000);

    // ---- the assistant explains the scarf (now #3) ----
    const scarf = nameOf('p-scarf');
    assert.equal(await h.executeScript(WATCH, 'explain', null, scarf), false);
    const explain = await a.findElement(By.css('[data-testid="lineup-row"][data-goods-id="p-scarf"] [data-testid="explain"]'));
    await a.executeScript('arguments[0].scrollIntoView({ block: "center" })', explain);
    await explain.click();
    const exp = await convergence(h, a, 'explain', 'click');
    timings.explain = exp;
    console.log(`host shows the assistant's explain after ${exp.page_ms} ms (page clock), ${exp.poll_ms} ms (50 ms poll)`);
    assert.ok(exp.page_ms <= 1000, `the current product showed ${exp.page_ms} ms after the click (at most 1000)`);
    assert.equal(await h.findElement(byTestId('current-name')).getText(), scarf);
    const hostCurrent = await h.executeScript(
      `return [...document.querySelectorAll('[data-testid="lineup-row"].current')].map((r) => r.dataset.goodsId)`,
    );
    assert.deepEqual(hostCurrent, ['p-scarf'], 'the host lineup marks the scarf as explained');
    await waitFor(a, 'the scarf explained in the assistant window', async () =>
      (await a.findElement(byTestId('current-name')).getText()) === scarf, 5000);

    // ---- the host's activity feed names the assistant ----
    const feed = await waitFor(h, 'the activity feed', async () => {
      const lines = await h.executeScript(ACTIVITY);
      return lines.length >= 5 ? lines : null;
    }, 5000);
    timings.activity = feed;
    const line = (text) => feed.find((l) => l.text === text);
    assert.equal(line(`${ASSISTANT_NICK} moved ${nameOf('p-mug')} to #1`)?.role, 'assistant', JSON.stringify(feed));
    assert.equal(line(`${ASSISTANT_NICK} explained ${scarf}`)?.role, 'assistant', JSON.stringify(feed));
    for (const id of added) assert.equal(line(`Host added ${nameOf(id)}`)?.role, 'host', JSON.stringify(feed));
    assert.equal(feed[0].text, `${ASSISTANT_NICK} explained ${scarf}`, 'newest first');
    // The assistant joined after the host's adds: its feed has them too,
    // from the room's history.
    const asstFeed = await a.executeScript(ACTIVITY);
    for (const id of added) {
      assert.ok(asstFeed.some((l) => l.text === `Host added ${nameOf(id)}`), JSON.stringify(asstFeed));
    }

    // Images reach both windows (the host uploads them to the room).
    const thumbs = async (d) =>
      d.executeScript(`
        return [...document.querySelectorAll('[data-testid="lineup-row"]')].map((r) => {
          const img = r.querySelector('img');
          return !!(img && img.complete && img.naturalWidth > 0);
        });
      `);
    await waitFor(a, 'the lineup thumbnails in the assistant window', async () =>
      (await thumbs(a)).join(',') === 'true,true,true', 10000);

    // Neither window complains: an assistant's window must not try the
    // host's stream controls (beauty, filter, audio) when it enters.
    for (const [who, d] of [['host', h], ['assistant', a]]) {
      const errors = await d.executeScript(
        `return [...document.querySelectorAll('.toast-error .toast-text')].map((e) => e.textContent)`,
      );
      assert.deepEqual(errors, [], `the ${who} window shows no errors`);
    }

    // Screenshots as each person sees the panel: scrolled to the product
    // being explained, in the default layout, then with the Products
    // panel maximized.
    for (const d of [h, a]) {
      await d.executeScript('document.querySelector(\'[data-testid="current-product"]\').scrollIntoView({ block: "start" })');
    }
    await h.sleep(500);
    await shot(h, 'lineup-host.png');
    await shot(a, 'lineup-assistant.png');
    for (const d of [h, a]) await d.executeScript('window.__shopcast.dock.getGroupPanel("products").api.maximize()');
    await h.sleep(500);
    await shot(h, 'lineup-host-products.png');
    await shot(a, 'lineup-assistant-products.png');

    // The toolbar says what the session knows: the page drops a view
    // older than one it already shows (`SessionView.rev`), so a command's
    // late answer cannot overwrite the "connected" event.
    assert.deepEqual(chips, { host: true, assistant: true }, 'the toolbar says "Room connected"');
  } catch (e) {
    // What each window showed when it failed.
    if (h) await shot(h, 'lineup-host-failed.png').catch(() => {});
    if (a) await shot(a, 'lineup-assistant-failed.png').catch(() => {});
    throw e;
  } finally {
    if (a) await a.quit();
    if (h) await h.quit();
  }
});
