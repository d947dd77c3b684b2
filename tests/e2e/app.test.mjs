// End to end: the real desktop app (debug build) in WebKitGTK under
// Xvfb, driven through tauri-driver and WebKitWebDriver. Run by
// tests/e2e/run.sh, which provides the display, D-Bus and the binary.
//
// Covers: the app opens; the preview shows moving, non-black frames;
// the smoothing slider visibly changes the preview; a rehearsal brings
// simulated barrage; ending it leaves a recording that plays; the
// layout survives a restart; live mode pushes to a custom RTMP
// destination (a local nginx) that plays, never shows the stream key,
// and ends with a recording. Screenshots go to $E2E_ARTIFACTS.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { By, Key, until } from 'selenium-webdriver';
import {
  ARTIFACTS, CANVAS_STATS, appStartedAt, byTestId, click, configDir, confirm, dataDir, endAndGetRecording,
  makeClip,
  openApp, previewRunning, previewStats, probeVideo, shot, startDriver, startNginxRtmp, stopDriver, typeInto, waitFor,
  writeSettings, startRehearsal,
} from './harness.mjs';

const timings = {};

before(async () => {
  writeSettings(makeClip());
  await startDriver();
});

after(async () => {
  await stopDriver();
  fs.writeFileSync(path.join(ARTIFACTS, 'timings.json'), JSON.stringify(timings, null, 2));
});

test('the studio opens, previews, rehearses, records, and keeps its layout', async () => {
  // ---- first run ----
  let { driver, t0 } = await openApp();
  let savedLayout;
  try {
    await driver.wait(until.elementLocated(byTestId('mode-rehearsal')), 30000, 'start screen');
    timings.window_ms = Date.now() - t0;
    // The preview warms up while the page loads: the start screen's
    // camera check shows it before any mode is chosen.
    const check = await waitFor(driver, 'the camera check on the start screen', async () => {
      const s = await driver.executeScript(CANVAS_STATS, 'start-preview');
      return s && s.w >= 320 && s.mean > 20 ? s : null;
    }, 30000);
    timings.camera_check = { w: check.w, h: check.h, mean: check.mean };
    const ps0 = await previewStats(driver);
    timings.first_frame_after_launch_ms = ps0.first_frame_at_ms - appStartedAt();
    await shot(driver, '01-start.png');

    await click(driver, 'mode-rehearsal');
    await previewRunning(driver);
    timings.first_preview_ms = Date.now() - t0;
    await driver.sleep(1500);
    const a = await driver.executeScript(CANVAS_STATS);
    await driver.sleep(700);
    const b = await driver.executeScript(CANVAS_STATS);
    await shot(driver, '02-preview.png');
    assert.ok(a && b, 'the preview canvas has pixels');
    assert.ok(a.w >= 320 && a.h >= 180, `preview size ${a.w}x${a.h}`);
    assert.ok(a.mean > 20 && b.mean > 20, `preview is not black (mean luma ${a.mean}, ${b.mean})`);
    assert.notEqual(a.hash, b.hash, 'the preview moves');

    // Preview rate and latency as the page measures them.
    await driver.sleep(3000);
    const ps = await previewStats(driver);
    timings.preview_fps = ps.fps;
    timings.preview_latency_ms = ps.latency_ms;
    assert.ok(ps.fps > 5, `preview fps ${ps.fps}`);

    // Smoothing 0 → 9: the noisy skin patch gets visibly smoother.
    const before = await driver.executeScript(CANVAS_STATS);
    const slider = await driver.findElement(byTestId('beauty-smoothing'));
    await driver.executeScript('arguments[0].scrollIntoView()', slider);
    await slider.sendKeys(Key.END);
    await waitFor(driver, 'the slider at 9', async () =>
      (await slider.getAttribute('value')) === '9');
    let seen = null;
    const after = await waitFor(driver, `a smoother preview than ${before.rough.toFixed(2)}`, async () => {
      const s = await driver.executeScript(CANVAS_STATS);
      seen = s ? s.rough : seen;
      return s && s.rough < before.rough * 0.8 ? s : null;
    }, 15000).catch((e) => { throw new Error(`${e.message}; roughness now ${seen}`); });
    timings.smoothing_roughness = { before: before.rough, after: after.rough };
    await shot(driver, '03-smoothing.png');

    // Rehearsal: confirm, the banner shows, barrage arrives.
    await startRehearsal(driver);
    const banner = await driver.findElement(byTestId('rehearsal-banner'));
    assert.ok(await banner.isDisplayed(), 'the rehearsal banner is visible');
    const items = await waitFor(driver, 'barrage from the simulated audience', async () => {
      const els = await driver.findElements(By.css('[data-testid="barrage-list"] .barrage-item'));
      return els.length >= 3 ? els : null;
    }, 40000);
    assert.ok((await items[0].getText()).length > 0, 'a barrage item has text');

    // Room strings are text, never markup: a barrage that is HTML shows
    // as its characters and runs nothing.
    const sent = await driver.executeAsyncScript(`
      const done = arguments[arguments.length - 1];
      window.__TAURI_INTERNALS__
        .invoke('room_send', { msg: { type: 'barrage', text: '<img src=x onerror="window.__xss=1">pwned' } })
        .then(() => done('ok'), (e) => done(JSON.stringify(e)));
    `);
    assert.equal(sent, 'ok');
    await waitFor(driver, 'the HTML barrage shown as text', async () =>
      driver.executeScript(`
        const list = document.querySelector('[data-testid="barrage-list"]');
        return list && list.textContent.includes('<img src=x onerror=');
      `), 15000);
    const injected = await driver.executeScript(`
      const list = document.querySelector('[data-testid="barrage-list"]');
      return { imgs: list.querySelectorAll('img').length, xss: window.__xss === 1 };
    `);
    assert.deepEqual(injected, { imgs: 0, xss: false });

    // The page runs under the strict CSP from tauri.conf.json: Tauri
    // sends it as a header, and an injected inline script does not run.
    const csp = await driver.executeAsyncScript(`
      const done = arguments[arguments.length - 1];
      fetch(location.href)
        .then((r) => done(r.headers.get('content-security-policy')))
        .catch((e) => done('fetch failed: ' + e));
    `);
    assert.ok(csp && !csp.startsWith('fetch failed'), `a CSP header is set (${csp})`);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-(inline|eval)/);
    assert.match(csp, /object-src 'none'/);
    const inlineRan = await driver.executeScript(`
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.head.appendChild(s);
      return window.__inline === 1;
    `);
    assert.equal(inlineRan, false, 'an inline script is blocked');
    await driver.sleep(3000);
    await shot(driver, '04-rehearsal.png');

    // End: confirm; the recording exists and plays.
    const recording = await endAndGetRecording(driver, 20000);
    await shot(driver, '05-ended.png');
    assert.ok(fs.existsSync(recording), `recording ${recording} exists`);
    const probe = probeVideo(recording, { timeoutMs: 120000 });
    assert.equal(probe.codec, 'h264');
    assert.ok(probe.frames >= 60, 'the recording has frames');

    // Change the layout: close the gifts panel and move stats beside the
    // preview. The page saves it to the settings.
    savedLayout = await driver.executeScript(`
      const dock = window.__shopcast.dock;
      const gifts = dock.getGroupPanel('gifts');
      if (gifts) gifts.api.close();
      const stats = dock.getGroupPanel('stats');
      const preview = dock.getGroupPanel('preview');
      if (stats && preview) stats.api.moveTo({ group: preview.group, position: 'right' });
      return dock.panels.map((p) => p.id).sort();
    `);
    assert.ok(!savedLayout.includes('gifts'), 'gifts panel closed');
    await waitFor(driver, 'the layout saved', async () => {
      const s = JSON.parse(fs.readFileSync(path.join(configDir, 'studio.json'), 'utf8'));
      const json = JSON.stringify(s.layout ?? {});
      return s.layout && !json.includes('"gifts"') ? true : null;
    }, 10000);
    await shot(driver, '06-layout-changed.png');
  } finally {
    await driver.quit();
  }

  // ---- second run: the layout is back ----
  ({ driver, t0 } = await openApp());
  try {
    await driver.wait(until.elementLocated(byTestId('mode-rehearsal')), 30000, 'start screen');
    await click(driver, 'mode-rehearsal');
    const restored = await waitFor(driver, 'the dock', async () =>
      driver.executeScript(
        'return window.__shopcast && window.__shopcast.dock ? window.__shopcast.dock.panels.map((p) => p.id).sort() : null',
      ));
    await driver.sleep(1000);
    await shot(driver, '07-restored.png');
    assert.deepEqual(restored, savedLayout, 'the same panels after a restart');
    const sameGroup = await driver.executeScript(`
      const dock = window.__shopcast.dock;
      return dock.getGroupPanel('stats').group.id === dock.getGroupPanel('preview').group.id ||
        dock.getGroupPanel('stats').group.element.getBoundingClientRect().left >
          dock.getGroupPanel('preview').group.element.getBoundingClientRect().left;
    `);
    assert.ok(sameGroup, 'stats stays where it was moved');
  } finally {
    await driver.quit();
  }
});

/** Every file under `dir` (recordings and other large files skipped)
 *  whose bytes contain `needle`. */
function filesContaining(dir, needle) {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.statSync(p).size < 4 << 20 && fs.readFileSync(p).includes(needle)) found.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return found;
}

/** Where the page shows or holds `secret`: its text, its markup, or an
 *  input's value. Empty when nowhere. */
const SECRET_IN_PAGE = `
  const k = arguments[0];
  const where = [];
  if (document.body.innerText.includes(k)) where.push('innerText');
  if (document.documentElement.outerHTML.includes(k)) where.push('html');
  for (const i of document.querySelectorAll('input, textarea')) {
    if (i.value.includes(k)) where.push('input ' + (i.dataset.testid || i.id || i.name));
  }
  return where;
`;

test('live: a custom RTMP destination goes on air, plays, hides its key, and ends with a recording', async () => {
  const KEY = 'e2e-key-123';
  const DEST = 'e2e-nginx';
  const nginx = await startNginxRtmp();
  let driver;
  try {
    ({ driver } = await openApp());
    await driver.wait(until.elementLocated(byTestId('mode-live')), 30000, 'start screen');
    // Live with no room: the room URL and token stay empty.
    await click(driver, 'mode-live');
    await driver.wait(until.elementLocated(byTestId('go-live')), 30000, 'the Output panel in live mode');
    await previewRunning(driver);
    const chip = await driver.findElement(byTestId('mode-chip'));
    assert.equal(await chip.getAttribute('class'), 'mode-chip mode-live');

    // Add the destination through the Output panel's form: custom RTMP
    // (the form's default kind; chosen explicitly all the same).
    const kind = await driver.wait(until.elementLocated(byTestId('dest-kind')), 20000, 'the destination form');
    await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', kind);
    await kind.findElement(By.css('option[value="custom"]')).click();
    assert.equal(await kind.getAttribute('value'), 'custom');
    await typeInto(driver, 'dest-name', DEST);
    await typeInto(driver, 'dest-url', `rtmp://127.0.0.1:${nginx.port}/live`);
    const keyInput = await typeInto(driver, 'dest-stream_key', KEY);
    assert.equal(await keyInput.getAttribute('type'), 'password', 'the stream key is typed into a password field');
    await click(driver, 'dest-save');
    const item = await waitFor(driver, 'the saved destination in the list', async () => {
      for (const el of await driver.findElements(byTestId('dest-item'))) {
        if ((await el.getText()).includes(DEST)) return el;
      }
      return null;
    }, 20000);
    const itemText = await item.getText();
    assert.ok(itemText.includes(`rtmp://127.0.0.1:${nginx.port}/live`), `the summary shows the server (${itemText})`);
    assert.ok(itemText.includes('••••'), `the saved key shows masked (${itemText})`);
    assert.equal(await keyInput.getAttribute('value'), '', 'the form forgets the key once saved');
    const errors = await driver.executeScript(
      `return [...document.querySelectorAll('[data-testid="form-error"]')].filter((e) => !e.hidden).map((e) => e.textContent)`,
    );
    assert.deepEqual(errors, [], 'the form shows no errors');

    // Its options: dynamic bitrate is on by default; a two-minute retry
    // delay makes "Reconnect now" (below) the only way back in time.
    const dynamic = await item.findElement(By.css('[data-testid="dest-dynamic"]'));
    assert.ok(await dynamic.isSelected(), 'dynamic bitrate is on for a new destination');
    await driver.executeScript(
      `const el = arguments[0]; el.value = '120'; el.dispatchEvent(new Event('change'));`,
      await item.findElement(By.css('[data-testid="dest-retry-delay"]')),
    );
    // The list is drawn again from what the session saved.
    await waitFor(driver, 'the retry delay saved', async () => {
      const values = await driver.executeScript(
        `return [...document.querySelectorAll('[data-testid="dest-retry-delay"]')].map((e) => e.value)`,
      );
      return values.includes('120') ? true : null;
    }, 10000);
    await driver.sleep(300);
    const item2 = await waitFor(driver, 'the destination again', async () => {
      for (const el of await driver.findElements(byTestId('dest-item'))) {
        try {
          if ((await el.getText()).includes(DEST)) return el;
        } catch {
          // Drawn again meanwhile: look once more.
        }
      }
      return null;
    }, 10000);

    // Select it (it may already be ticked: ticking again would untick it).
    const check = await item2.findElement(By.css('input[type="checkbox"]'));
    await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', check);
    if (!(await check.isSelected())) await check.click();
    assert.ok(await check.isSelected(), 'the destination is selected');

    // Go Live, confirm; the output reaches "live".
    await click(driver, 'go-live');
    await driver.wait(until.elementLocated(byTestId('confirm-dialog')), 10000, 'no confirm dialog');
    const dialogText = await driver.findElement(byTestId('confirm-dialog')).getText();
    assert.ok(dialogText.includes(DEST), `the confirmation names the destination (${dialogText})`);
    const t0 = Date.now();
    await confirm(driver);
    const live = await waitFor(driver, 'the output live', async () => {
      const states = await driver.executeScript(`
        return [...document.querySelectorAll('[data-testid="output-state"]')]
          .map((e) => ({ cls: e.className, text: e.innerText }));
      `);
      if (states.some((s) => /state-failed/.test(s.cls))) {
        throw new Error(`the output failed: ${JSON.stringify(states)}\n${nginx.errorLog()}`);
      }
      return states.find((s) => /state-live/.test(s.cls) && s.text.includes(DEST)) ?? null;
    }, 60000);
    timings.live_after_confirm_ms = Date.now() - t0;
    assert.ok(live.text.includes(DEST));
    assert.ok(await driver.findElement(byTestId('on-air')).isDisplayed(), 'ON AIR shows');
    const phase = await driver.findElement(byTestId('phase')).getAttribute('class');
    assert.match(phase, /phase-on_air/);
    await driver.sleep(2000);
    await shot(driver, '08-live.png');

    // The server plays what the app pushes: H.264 at the canvas size.
    let probeError = '';
    const played = await waitFor(driver, 'the stream to play from nginx', async () => {
      try {
        const p = probeVideo(nginx.url(KEY), { seconds: 5, timeoutMs: 60000 });
        probeError = JSON.stringify(p);
        return p.codec === 'h264' && p.frames > 0 ? p : null;
      } catch (e) {
        probeError = String(e.stderr || e.message).slice(0, 500);
        return null;
      }
    }, 150000).catch((e) => {
      throw new Error(`${e.message}; ffprobe: ${probeError}\nnginx:\n${nginx.errorLog().slice(-2000)}`);
    });
    timings.live_probe = played;
    assert.equal(played.codec, 'h264');
    assert.equal(`${played.width}x${played.height}`, '640x360', 'the stream has the canvas size');
    assert.ok(played.frames >= 10, `the stream has frames (${played.frames} in 5 s)`);

    // Keys are write-only: not in the page's text, markup or inputs.
    assert.deepEqual(await driver.executeScript(SECRET_IN_PAGE, KEY), [], 'the stream key is not in the page');
    assert.ok(!(await driver.executeScript('return document.body.innerText')).includes(KEY));

    // The server goes away: the output counts down to its retry, two
    // minutes off; the server comes back and "Reconnect now" brings the
    // output live at once.
    await nginx.stop();
    const outputState = () =>
      driver.executeScript(`
        const e = document.querySelector('[data-testid="output-state"]');
        return e ? { cls: e.className, text: e.innerText } : null;
      `);
    const waiting = await waitFor(driver, 'the output reconnecting', async () => {
      const st = await outputState();
      return st && /state-reconnecting/.test(st.cls) ? st : null;
    }, 30000);
    const countdown = /retrying in (\d+) s, attempt 1\/25/.exec(waiting.text);
    assert.ok(countdown && Number(countdown[1]) > 60, `a two-minute countdown (${waiting.text})`);
    await shot(driver, '08b-reconnecting.png');
    await nginx.restart();
    const clickedAt = Date.now();
    await click(driver, 'reconnect-now');
    await waitFor(driver, 'the output live again', async () => {
      const st = await outputState();
      return st && /state-live/.test(st.cls) ? st : null;
    }, 60000);
    timings.reconnect_now_to_live_ms = Date.now() - clickedAt;
    assert.equal(await driver.findElements(byTestId('reconnect-now')).then((b) => b.length), 0, 'no button once live');

    // Pause: the slate covers the preview (what viewers get) and the
    // phase says so; Resume brings the picture back.
    await click(driver, 'pause');
    await waitFor(driver, 'the slate on the preview', async () => {
      const st = await previewStats(driver);
      return st && st.frames > 0 ? true : null;
    }, 10000);
    await waitFor(driver, 'the paused phase', async () => {
      const text = await driver.findElement(byTestId('phase')).getText();
      return /Paused/.test(text) ? text : null;
    }, 10000);
    await driver.sleep(1500);
    await shot(driver, '08c-paused.png');
    await click(driver, 'resume');
    await waitFor(driver, 'the phase on air again', async () => {
      const text = await driver.findElement(byTestId('phase')).getText();
      return /Paused/.test(text) ? null : text;
    }, 10000);

    // End: confirm; the summary names a recording that plays.
    const recording = await endAndGetRecording(driver);
    await driver.sleep(500);
    await shot(driver, '09-live-ended.png');
    assert.ok(!(await driver.findElement(byTestId('on-air')).isDisplayed()), 'ON AIR is gone');
    assert.match(path.basename(recording), /^live-.*\.mkv$/);
    assert.ok(fs.existsSync(recording), `recording ${recording} exists`);
    const rec = probeVideo(recording, { timeoutMs: 120000 });
    timings.live_recording = rec;
    assert.equal(rec.codec, 'h264');
    assert.ok(rec.frames >= 60, `the recording has frames (${rec.frames})`);
    assert.deepEqual(await driver.executeScript(SECRET_IN_PAGE, KEY), [], 'the stream key is not in the page after ending');

    // nginx kept what it received; the push stopped with the broadcast.
    const served = await waitFor(driver, 'the recording nginx made', async () => {
      for (const f of nginx.recordings()) {
        const p = probeVideo(f, { timeoutMs: 60000 });
        if (p.codec === 'h264' && p.frames > 0) return p;
      }
      return null;
    }, 30000);
    timings.live_server_recording = served;

    // The key is stored encrypted: no file the app wrote holds it in plain text.
    assert.deepEqual(
      [...filesContaining(configDir, KEY), ...filesContaining(dataDir, KEY)],
      [],
      'the stream key is not stored in plain text',
    );

    await click(driver, 'dismiss-summary');
    await driver.wait(until.elementIsVisible(await driver.findElement(byTestId('go-live'))), 20000, 'back to preview');
  } finally {
    if (driver) await driver.quit();
    await nginx.stop();
  }
});
