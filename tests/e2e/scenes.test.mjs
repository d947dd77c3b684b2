// End to end: scenes in the real app. The host switches to the
// "Camera + product video" scene, drags the picture-in-picture with the
// pointer to the top-left corner (it snaps there) and makes it bigger by
// its corner handle, adds a caption and the product card from the layer
// list, rehearses, and cuts to "Be right back". The
// recording shows the window exactly at the box the pointer left, pixel
// for pixel. Screenshots go to $E2E_ARTIFACTS (10-…).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { By, Origin, until } from 'selenium-webdriver';
import {
  byTestId, click, endAndGetRecording, makeClip, openApp, previewRunning, shot, startDriver,
  stopDriver, typeInto, waitFor, writeSettings, startRehearsal,
} from './harness.mjs';

before(async () => {
  writeSettings(makeClip());
  await startDriver();
});

after(async () => {
  await stopDriver();
});

const invoke = (driver, cmd, args = {}) =>
  driver.executeAsyncScript(`
    const done = arguments[arguments.length - 1];
    window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(done, (e) => done({ error: e }));
  `, cmd, args);

/** The program picture's place in the page: the preview canvas's
 *  rectangle with the 640x360 picture fitted in (object-fit: contain). */
const PICTURE_RECT = `
  const c = document.querySelector('[data-testid="preview-canvas"]').getBoundingClientRect();
  const scale = Math.min(c.width / 640, c.height / 360);
  return { x: c.left + (c.width - 640 * scale) / 2, y: c.top + (c.height - 360 * scale) / 2, scale };
`;

/** Drags from the centre of `el` by (dx, dy) CSS pixels, in steps, as a
 *  hand would, in page coordinates (pressing selects the layer, which
 *  draws its box, and `el`, anew). */
async function drag(driver, el, dx, dy) {
  const r = await el.getRect();
  const x0 = Math.round(r.x + r.width / 2);
  const y0 = Math.round(r.y + r.height / 2);
  const steps = 6;
  let a = driver.actions({ async: true }).move({ origin: Origin.VIEWPORT, x: x0, y: y0 }).press();
  for (let i = 1; i <= steps; i++) {
    a = a.move({ origin: Origin.VIEWPORT, x: x0 + Math.round((dx * i) / steps), y: y0 + Math.round((dy * i) / steps), duration: 30 });
  }
  await a.release().perform();
}

/** Luma (0-255) of the recording's frame at `seconds`, 640x360. */
function lumaAt(file, seconds) {
  const out = execFileSync('ffmpeg', [
    '-v', 'error', '-ss', String(seconds), '-i', file,
    '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-',
  ]);
  assert.equal(out.length, 640 * 360, 'one 640x360 frame');
  return out;
}

test('a picture-in-picture built with the pointer is recorded where the pointer left it', async () => {
  const { driver } = await openApp();
  try {
    await click(driver, 'mode-rehearsal');
    await previewRunning(driver);

    await click(driver, 'scene-camera-video');
    await waitFor(driver, 'the scene lit', async () =>
      (await (await driver.findElement(byTestId('scene-camera-video'))).getAttribute('class')).includes('active'));
    await driver.wait(until.elementLocated(byTestId('layer-box-product-video')), 10000, 'the PiP box');
    await driver.sleep(1000);
    await shot(driver, '10-scene-pip.png');

    // Drag it to 3 px from the picture's top-left corner: it snaps there.
    const pic = await driver.executeScript(PICTURE_RECT);
    const box = await driver.findElement(byTestId('layer-box-product-video'));
    const r0 = await box.getRect();
    await drag(driver, box, Math.round(pic.x + 3 - r0.x), Math.round(pic.y + 3 - r0.y));
    let settings = await invoke(driver, 'get_settings');
    let layer = settings.scenes.list.find((s) => s.id === 'camera-video').layers[0];
    assert.deepEqual([layer.box.x, layer.box.y], [0, 0], `snapped to the corner: ${JSON.stringify(layer.box)}`);

    // Bigger by its bottom-right corner handle: 60 CSS px to the right.
    const before = layer.box;
    const handle = await driver.wait(until.elementLocated(byTestId('handle-se')), 10000, 'the corner handle');
    await drag(driver, handle, 60, 0);
    settings = await invoke(driver, 'get_settings');
    layer = settings.scenes.list.find((s) => s.id === 'camera-video').layers[0];
    const b = layer.box;
    assert.ok(b.width > before.width + 40, `wider: ${JSON.stringify(before)} → ${JSON.stringify(b)}`);
    assert.ok(Math.abs(b.width / b.height - before.width / before.height) < 0.02, 'the aspect kept');

    // A caption from the Sources panel's layer list: it appears on the
    // preview as a box of its own, over the picture-in-picture.
    await typeInto(driver, 'layer-value', 'Flash sale 限时优惠');
    await click(driver, 'layer-add');
    await driver.wait(until.elementLocated(byTestId('layer-box-layer-1')), 10000, 'the caption box');
    await driver.wait(until.elementLocated(byTestId('layer-row-layer-1')), 10000, 'the caption in the list');
    // Its font menu lists the installed families (Noto CJK from setup),
    // read by the studio the first time a text shows.
    const fonts = await waitFor(driver, 'the font menu filled', async () => {
      const names = await driver.executeScript(
        `return [...document.querySelectorAll('[data-testid="layer-font-layer-1"] option')].map((o) => o.value)`);
      return names.length > 2 ? names : null;
    });
    assert.ok(fonts.includes('Noto Sans CJK SC') && fonts[0] === '', `the font menu: ${fonts.slice(0, 8)}`);
    // Dragged down to the bottom edge, where it snaps.
    settings = await invoke(driver, 'get_settings');
    const cap = settings.scenes.list.find((s) => s.id === 'camera-video').layers.find((l) => l.id === 'layer-1').box;
    await drag(driver, await driver.findElement(byTestId('layer-box-layer-1')), 0, Math.round((360 - cap.y - cap.height) * pic.scale) - 3);
    settings = await invoke(driver, 'get_settings');
    const capAfter = settings.scenes.list.find((s) => s.id === 'camera-video').layers.find((l) => l.id === 'layer-1').box;
    assert.equal(capAfter.y + capAfter.height, 360, `the caption snapped to the bottom: ${JSON.stringify(capAfter)}`);

    // The product card as a layer, above the caption: it opens bottom
    // left; turned on in the Products panel, it shows the product being
    // explained in that box.
    await (await driver.findElement(byTestId('layer-kind'))).findElement(By.css('option[value="card"]')).click();
    await click(driver, 'layer-add');
    await driver.wait(until.elementLocated(byTestId('layer-box-layer-2')), 10000, 'the card box');
    settings = await invoke(driver, 'get_settings');
    const cardLayer = settings.scenes.list.find((s) => s.id === 'camera-video').layers.find((l) => l.id === 'layer-2');
    assert.deepEqual(cardLayer.source, { kind: 'product_card' });
    assert.deepEqual(cardLayer.box, { x: 12, y: 258, width: 280, height: 90 }, 'bottom left at the card\'s size');
    await click(driver, 'products-tab-card');
    await click(driver, 'product-card-toggle');
    await click(driver, 'next-product');
    await driver.sleep(1500);
    await shot(driver, '10b-pip-moved.png');

    // Rehearse with it, then cut to "Be right back".
    await startRehearsal(driver);
    await driver.sleep(2500);
    await click(driver, 'scene-brb');
    await driver.sleep(1500);
    await shot(driver, '10c-brb.png');
    const recording = await endAndGetRecording(driver);

    // In the recording's first second the window is the extra source
    // (the test "ball" pattern: black but for the ball) at exactly the
    // saved box; next to its right and bottom edges is the clip.
    const y = lumaAt(recording, 1.0);
    const at = (x, yy) => y[yy * 640 + x];
    const darkShare = (pts) => pts.filter(([x, yy]) => at(x, yy) < 30).length / pts.length;
    const column = (x) => Array.from({ length: b.height - 8 }, (_, i) => [x, b.y + 4 + i]);
    const row = (yy) => Array.from({ length: b.width - 8 }, (_, i) => [b.x + 4 + i, yy]);
    const right = b.x + b.width;
    const bottom = b.y + b.height;
    const inside = [darkShare(column(right - 2)), darkShare(row(bottom - 2))];
    const outside = [darkShare(column(right + 1)), darkShare(row(bottom + 1))];
    assert.ok(inside.every((s) => s > 0.85), `inside the box's edges the ball pattern: ${inside}`);
    assert.ok(outside.every((s) => s < 0.5), `just outside them the clip: ${outside}`);
    // The card's dark panel fills its layer's box, where the clip alone
    // is bright (luma about 190 there).
    const panel = Array.from({ length: 40 }, (_, i) => Array.from({ length: 120 }, (_, j) => [160 + j, 300 + i])).flat();
    const panelDark = panel.filter(([x, yy]) => at(x, yy) < 90).length / panel.length;
    assert.ok(panelDark > 0.5, `the card in its box: ${panelDark} dark`);
    // And the cut to "Be right back" is in the recording too: its
    // backdrop is dark violet all over, nothing like the clip.
    const duration = Number(execFileSync('ffprobe', [
      '-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', recording,
    ]).toString());
    const brb = lumaAt(recording, duration - 0.4);
    const mean = brb.reduce((s, v) => s + v, 0) / brb.length;
    assert.ok(mean > 25 && mean < 70, `the backdrop's mean luma ${mean}`);
  } finally {
    await driver.quit();
  }
});
