// End to end: the real desktop app (debug build) in WebKitGTK under
// Xvfb, driven through tauri-driver and WebKitWebDriver. Run by
// tests/e2e/run.sh, which provides the display, D-Bus and the binary.
//
// Covers: the app opens; the preview shows moving, non-black frames;
// the smoothing slider visibly changes the preview; a rehearsal brings
// simulated barrage; ending it leaves a recording that plays; the
// layout survives a restart. Screenshots go to $E2E_ARTIFACTS.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { By, Key, until } from 'selenium-webdriver';
import {
  ARTIFACTS, CANVAS_STATS, appStartedAt, byTestId, click, configDir, confirm, makeClip, openApp,
  previewStats, shot, startDriver, stopDriver, waitFor, writeSettings,
} from './harness.mjs';

const timings = {};

before(async () => {
  writeSettings(makeClip());
  await startDriver();
});

after(() => {
  stopDriver();
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
    await waitFor(driver, 'preview frames', async () => {
      const s = await previewStats(driver);
      return s && s.frames > 5 ? s : null;
    }, 30000);
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
    const after = await waitFor(driver, 'a smoother preview', async () => {
      const s = await driver.executeScript(CANVAS_STATS);
      return s && s.rough < before.rough * 0.8 ? s : null;
    }, 15000);
    timings.smoothing_roughness = { before: before.rough, after: after.rough };
    await shot(driver, '03-smoothing.png');

    // Rehearsal: confirm, the banner shows, barrage arrives.
    await click(driver, 'start-rehearsal');
    await confirm(driver);
    await driver.wait(until.elementLocated(byTestId('rehearsal-banner')), 20000, 'banner');
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
    await click(driver, 'end-live');
    await confirm(driver);
    const recEl = await driver.wait(until.elementLocated(byTestId('last-recording')), 30000);
    const recording = await waitFor(driver, 'the recording path', async () => {
      const t = (await recEl.getText()).trim();
      return t.length > 0 ? t : null;
    });
    await shot(driver, '05-ended.png');
    assert.ok(fs.existsSync(recording), `recording ${recording} exists`);
    const probe = JSON.parse(
      execFileSync('ffprobe', [
        '-v', 'error', '-count_frames', '-select_streams', 'v:0',
        '-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'json', recording,
      ]).toString(),
    );
    assert.equal(probe.streams[0].codec_name, 'h264');
    assert.ok(Number(probe.streams[0].nb_read_frames) >= 60, 'the recording has frames');

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
